"""Attachments: type sniffed from the content, kept outside the static root, served only through
the scoped, audited view."""

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import VILLAGE1, make_record
from safestar.audit.models import AuditEvent
from safestar.core.models import Attachment

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture
def incident(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return make_record("incidents", VILLAGE1)


def upload(client, obj, name, content):
    ct = ContentType.objects.get_for_model(obj).pk
    return client.post(f"/files/{ct}/{obj.pk}/upload/", {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_a_pdf_is_stored_outside_static_and_downloaded_with_an_audit_event(login, incident):
    client = login("grid1")
    response = upload(client, incident, "现场照片.pdf", PDF)
    assert "已上传附件：现场照片.pdf" in response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.kind == "pdf" and attachment.size == len(PDF)
    assert attachment.path().read_bytes() == PDF
    assert not str(attachment.path()).startswith(str(settings.STATIC_ROOT))
    download = login("village1").get(f"/files/{attachment.pk}/")
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="export", actor_name="village1", object_repr__contains="现场照片.pdf").exists()


@pytest.mark.parametrize(
    "name, content",
    [("photo.jpg", b"MZ\x90\x00 executable"), ("scan.pdf", b"<html><script>alert(1)</script>"), ("x.png", b"GIF89a...")],
)
def test_a_file_whose_content_is_not_an_allowed_type_is_refused(login, incident, name, content):
    response = upload(login("grid1"), incident, name, content)
    assert "文件类型不符" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_neighbouring_village_cannot_download_or_delete(login, incident):
    upload(login("grid1"), incident, "a.png", PNG)
    attachment = Attachment.objects.get()
    assert login("village2").get(f"/files/{attachment.pk}/").status_code == 404
    assert login("village2").post(f"/files/{attachment.pk}/delete/").status_code == 404
    assert login("taskforce").post(f"/files/{attachment.pk}/delete/").status_code == 404  # read-only role


def test_a_deleted_attachment_is_hidden_but_kept(login, incident):
    client = login("grid1")
    upload(client, incident, "a.png", PNG)
    attachment = Attachment.objects.get()
    client.post(f"/files/{attachment.pk}/delete/", {"confirmed": "1"})
    attachment.refresh_from_db()
    assert attachment.deleted_at and attachment.path().exists()
    assert client.get(f"/files/{attachment.pk}/").status_code == 404
    assert "a.png" not in client.get(f"/ledgers/incidents/{incident.pk}/").content.decode()


def test_only_models_that_take_attachments_accept_them(login, world):
    from safestar.org.models import User

    ct = ContentType.objects.get_for_model(User).pk
    target = User.objects.get(username="grid1").pk
    assert login("village1").post(f"/files/{ct}/{target}/upload/", {"file": SimpleUploadedFile("a.png", PNG)}).status_code == 404
