"""零报告: an empty register is not evidence that there is nothing to register. Under the Changgang
scheme every "absence" indicator of a village whose register is empty and that filed no nil return
for the year is 待定 ("台账未建立或未作零报告"); the nil return, filed through the ledger page with its
audit, makes it met; records in the register are evidence too."""

import datetime

import pytest

from conftest import VILLAGE1, load_scheme, make_record, post_record
from safestar.audit.models import AuditEvent
from safestar.core.metrics import REGISTERS
from safestar.nilreturns.models import NilRegister, NilReturn
from safestar.org.models import Division
from safestar.schemes.engine import UNDETERMINED
from safestar.schemes.services import results

# The plan's "absence" indicators and the register each needs evidence from.
ABSENCE = {
    "C2.5": "disputes", "C2.6": "disputes", "C2.7": "petitions", "C4.3": "hazards", "C4.4": "controlled_goods",
    "C5.4": "religious_clues", "C7.1": "key_persons", "C7.2": "key_persons", "C7.3": "key_persons",
}


def indicators(scheme, code=VILLAGE1):
    (result,) = results(scheme, Division.objects.filter(code=code))
    return result, {i.code: i for i in result.indicators}


def file_nil_return(client, register, year=2023, declared_on="2023-12-28"):
    return post_record(client, "nil-returns", {"subject": register, "year": year, "declared_on": declared_on, "note": "经排查，本村无"})


def test_every_register_a_nil_return_can_name_is_declared_by_its_ledger_app():
    assert set(NilRegister.values) == set(REGISTERS)


def test_empty_registers_without_a_nil_return_are_undetermined_on_every_absence_indicator(world):
    scheme = load_scheme()
    result, shown = indicators(scheme)
    for code in ABSENCE:
        assert shown[code].awarded is None, code
        assert "台账未建立或未作零报告" in shown[code].reason, code
    assert result.status == UNDETERMINED
    assert any(r.startswith("C2.6 ") and "零报告" in r for r in result.undetermined)


def test_nil_returns_filed_on_the_page_make_the_absence_indicators_met(login):
    client = login("village1")
    for register in sorted(set(ABSENCE.values())):
        response = file_nil_return(client, register)
        assert response.status_code == 302, response.content.decode()[:500]
    scheme = load_scheme()
    _, shown = indicators(scheme)
    for code in ABSENCE:
        assert shown[code].awarded == shown[code].points, (code, shown[code].reason)
    filed = NilReturn.objects.get(subject="disputes")
    assert str(filed) == "2023年度无矛盾纠纷" and filed.created_by.username == "village1"
    assert AuditEvent.objects.filter(object_type="nilreturns.nilreturn", actor_name="village1").count() == 6


def test_a_nil_return_counts_only_for_its_year_and_records_are_evidence_too(world, login):
    file_nil_return(login("village1"), "disputes", year=2024, declared_on="2024-12-28")
    scheme = load_scheme()
    _, shown = indicators(scheme)
    assert shown["C2.6"].awarded is None  # 2024's declaration says nothing of 2023
    make_record("disputes", VILLAGE1, received_on=datetime.date(2023, 3, 1), deadline=datetime.date(2023, 3, 31),
                stage="resolved", closed_on=datetime.date(2023, 3, 20))
    _, shown = indicators(scheme)
    assert shown["C2.6"].awarded == shown["C2.6"].points and shown["C2.5"].awarded == shown["C2.5"].points
    assert shown["C2.7"].awarded is None  # the petitions register is still empty


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"year": 2023, "declared_on": "2022-12-30"}, "declared_on", "早于所报年度 2023 年"),
        ({"year": 2023, "declared_on": "2023-12-28", "twice": True}, "subject", "该村已有2023年度“无矛盾纠纷”的零报告"),
        ({"year": 10000, "declared_on": "2023-12-28"}, "year", "年度不合理"),  # past datetime's years: not a 500
    ],
)
def test_a_nil_return_before_its_year_or_twice_is_refused(login, data, field, message):
    from conftest import form_errors

    client = login("village1")
    if data.pop("twice", False):
        assert file_nil_return(client, "disputes").status_code == 302
    response = post_record(client, "nil-returns", {"subject": "disputes", "note": "", **data})
    assert message in form_errors(response, field)
