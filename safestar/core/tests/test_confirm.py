"""Consequential actions ask first: a step declaring `confirm` in its transition table, and deleting an
attachment, answer a page that says what will happen until the form comes back with confirmed=1;
the page's forms carry the text for the dialog of static/js/confirm.js."""

import re


from conftest import VILLAGE1, make_record
from safestar.evaluation.models import Entry
from safestar.incidents.models import Incident


def test_the_steps_the_issue_names_declare_a_confirmation():
    assert Entry.flow["submit"].confirm and Entry.flow["evaluate"].confirm and Entry.flow["recognise"].confirm
    assert Entry.flow["forward"].confirm and Incident.flow["recognise"].confirm


def test_recognising_an_incident_asks_first_and_then_recognises(login, world):
    incident = make_record("incidents", VILLAGE1)
    client = login("county")
    detail = client.get(f"/ledgers/incidents/{incident.pk}/").content.decode()
    form = re.search(r'<form method="post" action="/ledgers/incidents/%d/recognise/"([^>]*)>' % incident.pk, detail).group(1)
    assert 'data-confirm="认定后该案事件计入一票否决' in form
    asked = client.post(f"/ledgers/incidents/{incident.pk}/recognise/")
    assert asked.status_code == 200 and 'data-testid="confirm-page"' in asked.content.decode()
    assert "认定后该案事件计入一票否决" in asked.content.decode() and 'name="confirmed" value="1"' in asked.content.decode()
    incident.refresh_from_db()
    assert not incident.recognised  # nothing happened on one click
    assert client.post(f"/ledgers/incidents/{incident.pk}/recognise/", {"confirmed": "1"}).status_code == 302
    incident.refresh_from_db()
    assert incident.recognised


def test_deleting_an_attachment_asks_first(login, world):
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safestar.core.models import Attachment

    record = make_record("cameras", VILLAGE1)
    client = login("village1")
    ct = ContentType.objects.get_for_model(record).pk
    client.post(f"/files/{ct}/{record.pk}/upload/", {"file": SimpleUploadedFile("照片.pdf", b"%PDF-1.7\n%%EOF\n")})
    attachment = Attachment.objects.get()
    asked = client.post(f"/files/{attachment.pk}/delete/")
    assert asked.status_code == 200 and "确认删除附件：照片.pdf" in asked.content.decode()
    assert Attachment.objects.alive().filter(pk=attachment.pk).exists()
    client.post(f"/files/{attachment.pk}/delete/", {"confirmed": "1"})
    assert not Attachment.objects.alive().filter(pk=attachment.pk).exists()

