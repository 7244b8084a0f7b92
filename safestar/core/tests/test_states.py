"""Dated state changes (core/states.py) through the paths people use: the ledger page, the API and
the import record a change of a tracked field with the day it took effect (today when not given),
audited; a metric reads the field as it stood on a day; nothing else is recorded."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import VILLAGE1, make_record
from safestar.audit.models import AuditEvent
from safestar.core.ledger import LEDGERS
from safestar.core.metrics import compute
from safestar.core.models import StateChange
from safestar.core.states import as_of, read_as_of, value_on
from safestar.emergency.models import EmergencyMember
from safestar.org.models import ApiToken, Division, User
from safestar.religion.models import ReligiousVenue

D = datetime.date
MEMBER = {"name": "王建国", "party_member": "on", "role": "member", "skills": "电工", "phone": "13837012345",
          "joined_on": "2021-03-01", "active": "on"}


@pytest.fixture
def member(world):
    return make_record("emergency-members", VILLAGE1, joined_on=D(2021, 3, 1), name="王建国")


def edit(client, member, **changes):
    data = {"division": member.division_id, **MEMBER, "version": member.version, **changes}
    return client.post(f"/ledgers/emergency-members/{member.pk}/edit/", {k: v for k, v in data.items() if v is not None})


def team(year):
    villages = Division.objects.filter(code=VILLAGE1)
    return compute("emergency.team_size", year, villages).get(villages.get().pk, 0)


def test_leaving_the_team_is_recorded_with_the_day_it_took_effect(login, member, freeze_today):
    freeze_today(D(2024, 3, 15))
    response = edit(login("grid1"), member, active=None, effective_on="2024-02-01")  # 在队 unticked
    assert response.status_code == 302
    change = StateChange.objects.get()
    assert (change.record_type, change.record_id, change.field) == ("emergency.emergencymember", member.pk, "active")
    assert (change.old, change.new, change.effective_on, change.recorded_by.username) == ("1", "0", D(2024, 2, 1), "grid1")
    event = AuditEvent.objects.filter(action="update", object_id=str(member.pk)).latest("id")
    assert event.changes["active"] == [True, False] and event.changes["effective_on"] == [None, "2024-02-01"]
    assert team(2023) == 1  # still in the team on 31 December 2023
    assert team(2024) == 0  # not on 15 March 2024
    history = login("grid1").get(f"/ledgers/emergency-members/{member.pk}/history/").content.decode()
    assert "变更生效日期：2024-02-01" in history


def test_the_edit_page_asks_for_the_day_of_a_change(login, member):
    page = login("grid1").get(f"/ledgers/emergency-members/{member.pk}/edit/").content.decode()
    assert "变更生效日期" in page and 'name="effective_on"' in page


def test_without_a_day_the_change_takes_effect_today(login, member, freeze_today):
    freeze_today(D(2024, 3, 15))
    assert edit(login("grid1"), member, active=None).status_code == 302
    assert StateChange.objects.get().effective_on == D(2024, 3, 15)


def test_a_change_cannot_take_effect_in_the_future(login, member):
    from safestar.clock import today

    response = edit(login("grid1"), member, active=None, effective_on=(today() + datetime.timedelta(days=30)).isoformat())
    assert response.status_code == 200
    assert "日期不能晚于今天" in " ".join(response.context["form"].errors["effective_on"])
    assert not StateChange.objects.exists()
    assert EmergencyMember.objects.get().active


def test_changing_other_fields_records_no_state_change(login, member):
    assert edit(login("grid1"), member, skills="电工、驾驶", effective_on="2023-06-01").status_code == 302
    assert not StateChange.objects.exists()
    assert "effective_on" not in AuditEvent.objects.filter(action="update").latest("id").changes


def test_a_new_record_has_no_change_date_to_give(login, world):
    form = LEDGERS["emergency-members"].form_class()(user=User.objects.get(username="grid1"))
    assert "effective_on" not in form.fields  # its own dates (入队日期) say when it began


def test_the_api_takes_the_day_of_a_change(client, member, freeze_today):
    freeze_today(D(2024, 3, 15))
    auth = {"Authorization": f"Bearer {ApiToken.issue(User.objects.get(username='grid1'))[1]}"}
    body = {"version": member.version, "party_member": False, "effective_on": "2023-07-01"}
    response = client.put(f"/api/v1/emergency-members/{member.pk}", body, content_type="application/json", headers=auth)
    assert response.status_code == 200, response.json()
    change = StateChange.objects.get()
    assert (change.field, change.old, change.new, change.effective_on) == ("party_member", "1", "0", D(2023, 7, 1))


def test_an_imported_row_carries_the_day_of_its_changes(login, member, freeze_today):
    freeze_today(D(2024, 3, 15))
    ledger = LEDGERS["emergency-members"]
    columns = ledger.columns()
    assert columns[-1].label == "变更生效日期"
    values = {"id": member.pk, "division": VILLAGE1, "name": "王建国", "party_member": "是", "role": "队员",
              "phone": "13837012345", "joined_on": "2021-03-01", "active": "否", "effective_on": "2024-01-31"}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [c.label for c in columns])
    sheet.write_row(1, 0, [values.get(c.key, "") for c in columns])
    book.close()
    client = login("grid1")
    dry = client.post("/ledgers/emergency-members/import/", {"file": SimpleUploadedFile("队员.xlsx", buffer.getvalue())})
    assert dry.context["report"].ok and dry.context["report"].summary() == "更新 1 行"
    client.post("/ledgers/emergency-members/import/", {"token": dry.context["token"], "confirm_updates": "1"})  # updates are confirmed apart
    change = StateChange.objects.get()
    assert (change.field, change.new, change.effective_on) == ("active", "0", D(2024, 1, 31))


def test_a_nullable_field_reads_none_where_it_was_none(world):
    """A venue first visited in 2024: on 31 December 2023 its last visit is none (not the 2024 one)."""
    from conftest import change_state

    venue = make_record("religious-venues", VILLAGE1, last_visited_on=None, known_since=D(2020, 1, 1))
    change_state(venue, D(2024, 4, 2), last_visited_on=D(2024, 4, 2))
    read = lambda day: as_of(ReligiousVenue.objects.filter(pk=venue.pk), day, "last_visited_on").get().asof_last_visited_on  # noqa: E731
    assert read(D(2023, 12, 31)) is None
    assert read(D(2024, 4, 2)) == D(2024, 4, 2)
    change_state(venue, D(2024, 6, 1), last_visited_on=None)  # a wrong visit taken back
    assert read(D(2024, 5, 1)) == D(2024, 4, 2) and read(D(2024, 6, 1)) is None


def test_only_tracked_fields_can_be_read_as_of_a_day():
    with pytest.raises(ValueError, match="not a tracked field"):
        value_on(EmergencyMember, "name", D(2023, 12, 31))


def test_read_as_of_gives_what_as_of_gives_on_random_histories(world):
    """read_as_of (a few records read, their changes worked out in Python: the village page) and as_of
    (correlated subqueries: the metrics) agree on random histories of a choice, a yes/no and a nullable
    date field, on days before, between, on and after the changes, including changes to and from none
    and several changes on one day."""
    import random

    from conftest import change_state
    from safestar.religion.models import VenueStatus

    rng = random.Random(20261201)
    fields = ReligiousVenue.tracked_fields  # status, registered, last_visited_on
    venues = []
    for n in range(12):
        venue = make_record("religious-venues", VILLAGE1, name=f"场所{n}", known_since=D(2020, 1, 1),
                            last_visited_on=rng.choice([None, D(2021, 5, 1)]))
        for _ in range(rng.randrange(0, 5)):
            change_state(venue, D(2022, 1, 1) + datetime.timedelta(days=rng.choice([0, 30, 30, 200, 400])),
                         status=rng.choice(list(VenueStatus.values)), registered=rng.choice([True, False]),
                         last_visited_on=rng.choice([None, D(2022, 3, 3), D(2023, 7, 7)]))
        venues.append(venue)
    assert StateChange.objects.count() > 20
    for day in (D(2021, 12, 31), D(2022, 1, 1), D(2022, 1, 31), D(2022, 7, 20), D(2023, 2, 5), D(2030, 1, 1)):
        in_sql = {v.pk: tuple(getattr(v, f"asof_{f}") for f in fields)
                  for v in as_of(ReligiousVenue.objects.filter(pk__in=[v.pk for v in venues]), day, *fields)}
        in_python = {v.pk: tuple(getattr(v, f"asof_{f}") for f in fields)
                     for v in read_as_of(list(ReligiousVenue.objects.filter(pk__in=[v.pk for v in venues])), day)}
        assert in_python == in_sql, day
