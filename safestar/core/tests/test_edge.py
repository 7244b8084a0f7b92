"""Input at the edge (core/edge.py, core/api_errors.py): the crafted values that answered 500 before
each get a Chinese 4xx now, control characters never reach the database, dates stay in their window."""

import datetime
import typing

import pytest
from pydantic import BaseModel

from conftest import VILLAGE1, form_errors, make_record, post_record
from safestar.core.edge import clean_text, day, flag, number, year


def test_clean_text_keeps_what_documents_can_hold():
    assert clean_text("第一行\x0b第二行\x0c第三行\r\n第四行") == "第一行\n第二行\n第三行\n第四行"
    assert clean_text("a\x00b\x07c\x1bd\x7fe") == "abcde"
    assert clean_text("列1\t列2\n") == "列1\t列2\n"
    assert clean_text("坏\ud800字") == "坏字"  # a lone surrogate no database encoding accepts
    assert clean_text("平安法治星 ２０２３") == "平安法治星 ２０２３"


def test_query_helpers_refuse_what_the_database_cannot_take():
    assert year("2023") == 2023 and year("99999") is None and year("0") is None and year("²") is None
    assert day("2023-05-06") == datetime.date(2023, 5, 6)
    assert day("0001-01-01") is None and day("9999-12-31") is None and day("2023-02-30") is None
    assert number("3.5") == 3.5 and number("nan") is None and number("1e400") is None and number("abc") is None
    assert flag("1") is True and flag("false") is False and flag("abc") is None


# --- the API -----------------------------------------------------------------------------------

@pytest.mark.parametrize("query, field", [
    ("year=99999", "year"), ("year=0", "year"), ("kind=abc", "kind"), ("limit=1000000000000", "limit"),
    ("offset=100000000000000000000", "offset"), ("start=0001-13-01", "start"), ("sort=password", "sort"),
])
def test_api_list_parameters_out_of_range_answer_422_in_chinese(api, query, field):
    response = api("town")(f"/disputes/?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "请求参数校验未通过" and field in body["errors"]
    assert all(not message.isascii() for message in body["errors"][field])


def test_a_non_boolean_status_on_a_yes_no_ledger_answers_422(api):
    response = api("town")("/cameras/?status=abc")
    assert response.status_code == 422 and response.json()["errors"]["status"] == ["应为 true 或 false"]
    assert api("town")("/cameras/?status=true").status_code == 200


def test_nul_in_a_search_box_is_dropped(api, client, world):
    assert api("town")("/disputes/?q=%00").status_code == 200
    client.force_login(__import__("safestar.org.models", fromlist=["User"]).User.objects.get(username="town"))
    assert client.get("/ledgers/disputes/?q=%00&year=99999&kind=abc&status=abc&start=0001-01-01&end=9999-12-31").status_code == 200


def test_an_id_beyond_the_column_answers_422_in_the_api_and_404_on_pages(api, client, world):
    assert api("town")("/disputes/99999999999999999999").status_code == 422
    assert api("town")("/disputes/2147483648").status_code == 422
    client.force_login(__import__("safestar.org.models", fromlist=["User"]).User.objects.get(username="town"))
    assert client.get("/ledgers/disputes/99999999999999999999/").status_code == 404
    assert client.get("/ledgers/disputes/2147483648/").status_code == 404


def test_a_percent_sign_in_the_village_is_quoted_not_used_as_a_template(client, world):
    from safestar.org.models import ApiToken, User

    _, token = ApiToken.issue(User.objects.get(username="village1"))
    response = client.post("/api/v1/disputes/", {"village": "50%", "summary": "x"}, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert "村 50% 不存在或不在您的管辖范围内" in response.json()["errors"]["village"]


def test_control_characters_in_a_json_body_never_reach_the_database(client, world):
    from safestar.disputes.models import Dispute
    from safestar.org.models import ApiToken, User
    from safestar.core.ledger import LEDGERS

    _, token = ApiToken.issue(User.objects.get(username="village1"))
    body = {**LEDGERS["disputes"].example, "village": VILLAGE1, "summary": "界墙\x0b争执\x00"}
    response = client.post("/api/v1/disputes/", body, content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.json()
    assert Dispute.objects.get(pk=response.json()["id"]).summary == "界墙\n争执"


def test_api_errors_are_chinese_with_one_body(client, world):
    missing = client.get("/api/v1/disputes/")
    assert missing.status_code == 401 and not missing.json()["detail"].isascii() and missing.json()["errors"] == {}
    from safestar.org.models import ApiToken, User

    headers = {"Authorization": f"Bearer {ApiToken.issue(User.objects.get(username='town'))[1]}"}
    not_found = client.get("/api/v1/disputes/2000000000", headers=headers)
    assert not_found.status_code == 404 and not not_found.json()["detail"].isascii()
    broken = client.post("/api/v1/disputes/", "{not json", content_type="application/json", headers=headers)
    assert broken.status_code == 400 and "JSON" in broken.json()["detail"] and not broken.json()["detail"].isascii()


# --- pages and forms ---------------------------------------------------------------------------

def test_a_pasted_vertical_tab_is_saved_as_a_line_break(login):
    client = login("village1")
    record = make_record("disputes", VILLAGE1)
    data = {name: getattr(record, name) for name in ("received_on", "source", "parties", "category", "stage", "deadline", "closed_on", "result")}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = post_record(client, "disputes", {**data, "summary": "两户\x0b争执\x00", "referred_to": "", "version": record.version}, pk=record.pk)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    record.refresh_from_db()
    assert record.summary == "两户\n争执"


@pytest.mark.parametrize("value, message", [("0001-01-01", "早于 1949-01-01"), ("1948-12-31", "早于 1949-01-01")])
def test_dates_before_the_window_are_refused_in_chinese(login, value, message):
    from safestar.core.ledger import LEDGERS

    response = post_record(login("village1"), "disputes", {**LEDGERS["disputes"].example, "received_on": value})
    assert message in form_errors(response, "received_on")


def test_a_deadline_more_than_a_year_ahead_is_refused(login, freeze_today):
    from safestar.core.ledger import LEDGERS

    freeze_today(datetime.date(2023, 6, 1))
    example = LEDGERS["disputes"].example
    far = post_record(login("village1"), "disputes", {**example, "deadline": "2024-06-02"})
    assert "晚于 2024-06-01" in form_errors(far, "deadline")
    near = post_record(login("village1"), "disputes", {**example, "deadline": "2024-05-31"})
    assert near.status_code == 302


def test_the_incident_panel_ignores_a_crafted_year(login):
    client = login("village1")
    for value in ("²", "99999", "-1"):
        assert client.get(f"/divisions/{VILLAGE1}/", {"year": value}).status_code == 200


def test_a_huge_version_in_a_page_form_is_a_conflict_not_an_overflow(login):
    record = make_record("disputes", VILLAGE1)
    from safestar.core.ledger import LEDGERS

    response = post_record(login("village1"), "disputes", {**LEDGERS["disputes"].example, "version": "9" * 30}, pk=record.pk)
    assert response.status_code == 200 and "没有保存" in response.content.decode()


def test_django_error_pages_are_chinese(client, world):
    client.force_login(__import__("safestar.org.models", fromlist=["User"]).User.objects.get(username="town"))
    page = client.get("/ledgers/disputes/2000000000/")
    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    assert "Not Found" not in page.content.decode()


# --- the OpenAPI document ----------------------------------------------------------------------

def _document():
    from safestar.api import api

    return api.get_openapi_schema()


def test_every_operation_documents_its_errors_with_the_error_body():
    for path, operations in _document()["paths"].items():
        for method, operation in operations.items():
            for code in ("400", "401", "404", "422"):
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (method, path, code)


def _models(annotation, seen):
    for arg in typing.get_args(annotation):
        _models(arg, seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, seen)


def test_no_two_schemas_share_a_name():
    """A name in the document stands for one schema: two classes with one name would leave one of them undocumented."""
    from safestar.api import api

    seen = set()
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    _models(model, seen)
    names = set(_document()["components"]["schemas"])
    by_name = {}
    for model in seen:
        if model.__name__ in names:
            by_name.setdefault(model.__name__, set()).add(model)
    assert {name: classes for name, classes in by_name.items() if len(classes) > 1} == {}


def test_text_saved_before_the_edge_still_makes_documents():
    """A finding saved with a vertical tab before input was cleaned: Word and xlsx files are still made."""
    import io

    import docx

    from safestar.core.documents import add_paragraph, add_table, docx_bytes, word_document
    from python_calamine import CalamineWorkbook

    from safestar.core.sheets import Column, write_xlsx

    document = word_document("整改通知书")
    add_paragraph(document, "问题\x0b描述\x00")
    add_table(document, ["问题"], [["界墙\x0b争执"]])
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(docx_bytes(document))).paragraphs)
    assert "问题\n描述" in text or "问题描述" in text
    content = write_xlsx(title="台账", columns=[Column("summary", "概况")], rows=[["界墙\x0b争执\x01"]])
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert ["界墙\n争执"] in [row[:1] for row in rows]
