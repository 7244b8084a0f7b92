"""A ledger import's commit writes the rows its check validated, without reading and checking the
file again, when validating them depended on nothing but the file and the tables read once per
file. What the database may have changed since the check (the user's villages, the related
records' options) is checked again; rows whose check asked the database more (a rule about the
village's other records) are checked again in full; a check from another day is not reused."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from safestar.core.imports import _checked_path, _kept_checked
from safestar.disputes.models import Dispute
from safestar.emergency.models import EmergencyMember, TeamRole
from safestar.org.models import Division, User

from conftest import VILLAGE1, VILLAGE2, make_record
from safestar.core.tests.test_import_jobs import _ledger_file

PARTIES = "张某某、李某某"  # the bench workbook's rows (disputes ledger) are this, numbered
URL = "/ledgers/disputes/import/"


@pytest.fixture
def var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _check(client, data, url=URL):
    checked = client.post(url, {"file": SimpleUploadedFile("台账.xlsx", data)})
    assert checked.status_code == 200 and "token" in checked.context, checked.text[:500]
    return checked


def _stashed(var):
    return sorted(p for p in (var / "imports").iterdir())


def test_the_commit_writes_the_checked_rows_without_reading_the_file_again(login, world, var):
    Dispute.objects.filter(parties__startswith=PARTIES).delete()
    client = login("village1")
    checked = _check(client, _ledger_file(30))
    assert "检查通过：新增 30 行" in checked.text
    upload, kept = _stashed(var)
    assert kept == _checked_path(upload.name)
    assert PARTIES.encode() not in kept.read_bytes() and oct(kept.stat().st_mode & 0o777) == "0o600"
    upload.write_bytes(b"not the file any more")  # read again, this would be refused as damaged

    done = client.post(URL, {"token": checked.context["token"]})
    assert done.status_code == 302 and done.url == "/ledgers/disputes/"
    assert Dispute.objects.filter(parties__startswith=PARTIES).count() == 30
    assert not (var / "imports").exists() or _stashed(var) == []  # both removed once imported


def test_a_village_gone_from_the_users_scope_since_the_check_refuses_the_commit(login, world, var):
    Dispute.objects.filter(parties__startswith=PARTIES).delete()
    client = login("village1")
    checked = _check(client, _ledger_file(5))
    User.objects.filter(username="village1").update(division=Division.objects.get(code=VILLAGE2))

    refused = client.post(URL, {"token": checked.context["token"]})
    assert refused.status_code == 200
    assert "检查之后村已有变化" in refused.text and "未导入任何数据" in refused.text
    assert not Dispute._base_manager.filter(parties__startswith=PARTIES).exists()


def _members(rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("应急队员")
    sheet.write_row(0, 0, ["姓名", "职务", "联系电话", "入队时间", "是否在队"])
    for r, row in enumerate(rows, 1):
        sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


def test_rows_whose_check_asked_the_database_are_checked_again_at_commit(login, world, var):
    """One active captain per village is a rule about the village's other records: a captain entered
    after the check must make the commit refuse the file's captain."""
    url = "/ledgers/emergency-members/import/"
    EmergencyMember.objects.filter(division__code=VILLAGE1, role=TeamRole.CAPTAIN).delete()
    client = login("village1")
    checked = _check(client, _members([["王新队长", "队长", "13837011111", "2023-03-01", "是"]]), url)
    assert "检查通过：新增 1 行" in checked.text
    assert _stashed(var) and not _checked_path(_stashed(var)[0].name).exists()  # nothing kept: it asked the database
    make_record("emergency-members", VILLAGE1, name="李原队长", role=TeamRole.CAPTAIN, active=True)

    refused = client.post(url, {"token": checked.context["token"]})
    assert refused.status_code == 200 and "已有一名在队的队长" in refused.text
    assert not EmergencyMember._base_manager.filter(name="王新队长").exists()


def test_a_check_from_another_day_is_checked_again(login, world, var, freeze_today):
    Dispute.objects.filter(parties__startswith=PARTIES).delete()
    freeze_today(datetime.date(2023, 12, 30))
    client = login("village1")
    checked = _check(client, _ledger_file(3))
    upload = _stashed(var)[0]
    user = User.objects.get(username="village1")
    choices = {"mapping": {}, "villages": {}, "fills": {}}
    from safestar.core.ledger import LEDGERS
    from safestar.core.ledger_ops import LedgerImporter

    importer = LedgerImporter(LEDGERS["disputes"], user)
    assert _kept_checked(upload.name, user, importer, choices) is not None
    assert _kept_checked(upload.name, user, importer, {**choices, "fills": {"x": "1"}}) is None  # other choices
    freeze_today(datetime.date(2023, 12, 31))
    assert _kept_checked(upload.name, user, importer, choices) is None

    done = client.post(URL, {"token": checked.context["token"]})  # checked again from the file: still fine
    assert done.status_code == 302 and Dispute.objects.filter(parties__startswith=PARTIES).count() == 3
