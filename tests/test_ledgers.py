"""What every registered ledger must do, whoever wrote it: these tests run for each ledger in
LEDGERS, so a new ledger is covered the moment it is registered."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from conftest import VILLAGE1, VILLAGE2, example_values, make_record
from safestar.core.ledger import LEDGERS
from safestar.core.sheets import read_xlsx

SLUGS = sorted(LEDGERS)


def api_payload(ledger, village=VILLAGE1):
    """The example as the API takes it: related records by primary key, dates as ISO text."""
    payload = {"village": village}
    for name, value in example_values(ledger).items():
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        payload[name] = value
    return payload


ONE_PER_VILLAGE = ("security-profiles", "village-profiles", "nil-returns")  # one alive record per village (a profile kept up to date; a nil return per register and year)


@pytest.mark.parametrize("slug", SLUGS)
def test_export_reimports_unchanged(login, slug):
    ledger = LEDGERS[slug]
    codes = (VILLAGE1, VILLAGE2) if slug in ONE_PER_VILLAGE else (VILLAGE1, VILLAGE1, VILLAGE2)
    for code in codes:
        make_record(slug, code)
    client = login("town")
    exported = client.get(f"/ledgers/{slug}/export.xlsx")
    assert exported.status_code == 200
    rows = list(read_xlsx(exported.content, ledger.columns()))
    assert len(rows) == ledger.model.objects.count()
    dry = client.post(f"/ledgers/{slug}/import/", {"file": SimpleUploadedFile("x.xlsx", exported.content)})
    report = dry.context["report"]
    assert report.ok, [(e.row, e.column, e.message) for e in report.errors]
    assert report.summary() == f"无变化 {len(rows)} 行"


@pytest.mark.parametrize("slug", SLUGS)
def test_an_import_with_one_bad_row_writes_nothing(login, slug):
    ledger = LEDGERS[slug]
    make_record(slug, VILLAGE1)
    client = login("town")
    exported = client.get(f"/ledgers/{slug}/export.xlsx").content
    good = next(iter(read_xlsx(exported, ledger.columns())))[1]
    header = [c.label for c in ledger.columns()]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    new_good = {**good, "id": "", "division": VILLAGE2}
    bad = {**good, "id": "", "division": "411422101201"}  # a village of 平岗镇: outside the town's scope
    for r, values in enumerate([new_good, bad], start=1):
        for c, column in enumerate(ledger.columns()):
            value = values.get(column.key, "")
            if isinstance(value, (datetime.date, datetime.datetime)):
                value = value.strftime("%Y-%m-%d")
            sheet.write(r, c, value if not isinstance(value, bool) else ("是" if value else "否"))
    book.close()
    before = ledger.model.objects.count()
    response = client.post(f"/ledgers/{slug}/import/", {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())})
    errors = [(e.row, e.column, e.message) for e in response.context["report"].errors]
    assert errors == [(3, "村级区划代码", "村 411422101201 不存在或不在您的管辖范围内")]
    assert ledger.model.objects.count() == before


def _queries(client, url, headers=None):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, headers=headers or {}).status_code == 200
    return len(context)


# One record per village at most for the profiles: their rows cannot grow within a village.
GROWING = [slug for slug in SLUGS if slug not in ONE_PER_VILLAGE]


# 10 rows fit on a page (PER_PAGE = 20); 1 000 fill 50 pages. A query per row shown, or per page, would
# differ between the two; 10 000 rows asserted the same and took ten times as long (a twentieth of the suite).
@pytest.mark.usefixtures("drawn_pages")
@pytest.mark.parametrize("slug", GROWING)
def test_list_page_and_api_issue_the_same_queries_for_10_or_1000_rows(login, slug):
    from safestar.org.models import ApiToken, Division, User

    ledger = LEDGERS[slug]
    village = Division.objects.get(code=VILLAGE1)
    values = example_values(ledger)

    def add(n):
        ledger.model.objects.bulk_create([ledger.model(division=village, **values) for _ in range(n)], batch_size=2000)

    client = login("village1")
    auth = {"Authorization": f"Bearer {ApiToken.issue(User.objects.get(username='village1'))[1]}"}
    add(10)
    few = (_queries(client, f"/ledgers/{slug}/"), _queries(client, f"/api/v1/{slug}/", auth))
    add(990)
    many = (_queries(client, f"/ledgers/{slug}/"), _queries(client, f"/api/v1/{slug}/", auth))
    assert few == many


@pytest.mark.parametrize("slug", SLUGS)
def test_api_create_read_update_conflict_delete(client, world, slug):
    from safestar.org.models import ApiToken, User

    ledger = LEDGERS[slug]
    _, token = ApiToken.issue(User.objects.get(username="grid1"))
    auth = {"Authorization": f"Bearer {token}"}
    created = client.post(f"/api/v1/{slug}/", api_payload(ledger), content_type="application/json", headers=auth)
    assert created.status_code == 201, created.content.decode()
    body = created.json()
    assert body["village"] == VILLAGE1 and body["version"] == 1
    pk = body["id"]
    assert client.get(f"/api/v1/{slug}/{pk}", headers=auth).json()["id"] == pk
    elsewhere = client.post(f"/api/v1/{slug}/", api_payload(ledger, VILLAGE2), content_type="application/json", headers=auth)
    assert elsewhere.status_code == 422 and "不在您的管辖范围内" in elsewhere.json()["errors"]["village"][0]
    text_field = next((n for n in ledger.fields if ledger.field(n).get_internal_type() in ("CharField", "TextField") and not ledger.field(n).choices), None)
    change = {"version": 1} | ({text_field: "接口修改"} if text_field else {})
    updated = client.put(f"/api/v1/{slug}/{pk}", change, content_type="application/json", headers=auth)
    assert updated.status_code == 200, updated.content.decode()
    assert updated.json()["version"] == 2
    stale = client.put(f"/api/v1/{slug}/{pk}", change, content_type="application/json", headers=auth)
    assert stale.status_code == 409 and "您的修改没有保存" in stale.json()["detail"]
    assert client.delete(f"/api/v1/{slug}/{pk}", headers=auth).status_code == 422  # a reason is required
    assert client.delete(f"/api/v1/{slug}/{pk}?reason=录错了", headers=auth).status_code == 204
    assert pk not in [r["id"] for r in client.get(f"/api/v1/{slug}/", headers=auth).json()["items"]]
    assert pk in [r["id"] for r in client.get(f"/api/v1/{slug}/?deleted=1", headers=auth).json()["items"]]


@pytest.mark.parametrize("slug", SLUGS)
def test_a_department_that_does_not_share_the_field_gets_404(login, slug):
    from django.utils import timezone

    from safestar.org.models import Department, Division, User

    town = Division.objects.get(code="411422100000")
    nothing = Department.objects.create(name="长岗镇无关部门", kind="other", division=town, fields=[])
    User.objects.create(username="dept0", role="department", division=town, department=nothing, password_changed_at=timezone.now())
    record = make_record(slug, VILLAGE1)
    client = login("dept0")
    assert client.get(f"/ledgers/{slug}/").status_code == 404
    assert client.get(f"/ledgers/{slug}/{record.pk}/").status_code == 404


@pytest.mark.parametrize("slug", SLUGS)
def test_a_staged_import_writes_what_bulk_create_writes(world, slug):
    """A staged import prepares each record's database values before its write transaction and inserts
    them with one statement (safestar/inserts.py): read back, the record is the one bulk_create writes
    (encrypted fields decrypt to the same values, their lookup hashes are the same)."""
    from safestar import inserts
    from safestar.org.models import Division

    ledger = LEDGERS[slug]
    model, values = ledger.model, example_values(ledger)
    created = model.objects.bulk_create([model(division=Division.objects.get(code=VILLAGE1), **values)])[0]
    obj = model(division=Division.objects.get(code=VILLAGE2), **values)
    fields = inserts.fields_of(model)
    rows = inserts.prepare([obj], fields)
    with transaction.atomic():
        pks = inserts.insert(model, fields, rows, [obj])
    assert obj.pk == pks[0] and not obj._state.adding
    skip = {"id", "division", "created_at", "updated_at"}
    names = [f.attname for f in model._meta.concrete_fields if f.name not in skip]
    assert (model._base_manager.filter(pk=obj.pk).values(*names).get()
            == model._base_manager.filter(pk=created.pk).values(*names).get())


def test_events_prepared_before_their_records_are_saved_chain_like_record(world):
    """audit.log.prepare_many makes an import's events before its records have ids; record_many fills
    in each id and name (a hazard's name shows its number) and chains them: each event's hash is the
    one its stored fields give, and the whole chain verifies."""
    from safestar import inserts
    from safestar.audit.log import diff, prepare_many, record_many, snapshot, verify
    from safestar.audit.models import AuditEvent
    from safestar.org.models import Division, User
    from safestar.core.ledger_ops import audit_fields

    ledger = LEDGERS["hazards"]
    village, user = Division.objects.get(code=VILLAGE1), User.objects.get(username="village1")
    objs = [ledger.model(division=village, **example_values(ledger)) for _ in range(3)]
    prepared = prepare_many([("create", obj, diff({}, snapshot(obj, audit_fields(ledger)))) for obj in objs], actor=user)
    before = AuditEvent.objects.order_by("-id").first()
    fields = inserts.fields_of(ledger.model)
    with transaction.atomic():
        inserts.insert(ledger.model, fields, inserts.prepare(objs, fields), objs)
        record_many(prepared, actor=user)
    events = list(AuditEvent.objects.filter(id__gt=before.id).order_by("id"))
    assert [(e.object_id, e.object_repr) for e in events] == [(str(o.pk), str(o)) for o in objs]
    assert all(f"编号{o.pk}" in e.object_repr for o, e in zip(objs, events))
    assert events[0].prev_hash == before.hash and all(b.prev_hash == a.hash for a, b in zip(events, events[1:]))
    assert all(e.hash == e.compute_hash() and e.actor_id == user.pk and e.action == "create" for e in events)
    assert events[0].changes == diff({}, snapshot(objs[0], audit_fields(ledger)))
    assert verify()[1] is None
