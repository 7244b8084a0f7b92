"""The reports read back: the numbers in the xlsx, Word and PDF documents are the engine's, and a
page of the PDF renders Chinese glyphs (checked on the rendered image, not only the text)."""

import io
import subprocess

import pytest
from docx import Document
from PIL import Image, ImageChops

from conftest import PINGGANG, VILLAGE1, VILLAGE2
from safestar.core.numbers import figure
from safestar.core.sheets import read_xlsx
from safestar.evaluation import reports, services
from safestar.evaluation.models import Entry
from safestar.schemes.services import results

from .conftest import fetch_document, run_to_county


@pytest.fixture
def adjusted_round(open_round, users):
    """长岗镇's round at the county stage, with a county adjustment on 杨庄村 and a veto on 长岗村."""
    import datetime

    from conftest import make_record
    from safestar.incidents.models import IncidentKind
    from safestar.incidents.services import recognise

    round = open_round(pass_mark=45)
    run_to_county(round, users)
    entry = Entry.objects.select_related("round__scheme").get(round=round, village__code=VILLAGE2)
    services.save_line(entry, "C1.5", users["county"], points=1.5, reason="3路探头长期离线")
    fraud = make_record("incidents", VILLAGE1, kind=IncidentKind.objects.get(code="telecom_fraud"),
                        occurred_on=datetime.date(2023, 8, 9), title="冒充公检法诈骗")
    recognise(fraud, users["county"])
    return round


def engine(round):
    villages = services.round_villages(round)
    return {r.code: r for r in results(round.scheme, villages, manual=services.given_points(round, villages))}


def test_summary_xlsx_equals_the_engine(adjusted_round, login):
    expected = engine(adjusted_round)
    response = login("town").get(f"/evaluation/{adjusted_round.pk}/summary.xlsx")
    assert response.status_code == 200
    rows = [values for _, values in read_xlsx(response.content, reports.SUMMARY_COLUMNS)]
    assert len(rows) == 20
    for row in rows:
        r = expected[row["code"]]
        assert (row["total"], row["status"], row["county_rank"] or None) == (r.total, r.status, r.rank)
    assert expected[VILLAGE1].status == "否决"
    vetoed = next(row for row in rows if row["code"] == VILLAGE1)
    assert "发生电信诈骗案件" in vetoed["veto"] and "冒充公检法诈骗" in vetoed["veto"]
    assert next(row for row in rows if row["code"] == VILLAGE2)["total"] == expected[VILLAGE2].total


def test_village_score_sheet_equals_the_engine(adjusted_round, login):
    entry = Entry.objects.get(round=adjusted_round, village__code=VILLAGE2)
    expected = engine(adjusted_round)[VILLAGE2]
    response = login("village2").get(f"/evaluation/entries/{entry.pk}/scores.xlsx")
    rows = [values for _, values in read_xlsx(response.content, reports.ENTRY_COLUMNS)]
    by_code = {row["code"]: row for row in rows if row["code"]}
    for indicator in expected.indicators:
        assert by_code[indicator.code]["awarded"] == indicator.awarded
    assert by_code["C1.5"]["county"] == 1.5 and by_code["C1.5"]["county_reason"] == "3路探头长期离线"
    assert rows[-1]["category"] == "合计" and rows[-1]["awarded"] == expected.total


def test_word_report_equals_the_engine(adjusted_round, login):
    expected = engine(adjusted_round)
    response = fetch_document(login("county"), f"/evaluation/{adjusted_round.pk}/report.docx")
    document = Document(io.BytesIO(response.content))
    ranking = document.tables[0]
    got = {row.cells[3].text: (row.cells[4].text, row.cells[5].text) for row in ranking.rows[1:]}
    assert got == {r.name: (figure(r.total), r.status) for r in expected.values()}
    text = "\n".join(p.text for p in document.paragraphs)
    assert "一票否决 1 个" in text
    assert len(document.inline_shapes) == 1  # the bar chart
    # Per-category tables: each village's category points add up to its total.
    spec = adjusted_round.scheme.spec
    category_tables = document.tables[1:1 + len(spec.categories)]
    for name, r in [(r.name, r) for r in expected.values()]:
        points = sum(float(row.cells[1].text) for table in category_tables for row in table.rows[1:] if row.cells[0].text == name)
        assert points == pytest.approx(r.total)
    lost = document.tables[1 + len(spec.categories)]
    assert any(row.cells[0].text == "杨庄村" and row.cells[1].text == "C1.5" and "县级评查：3路探头长期离线" in row.cells[4].text for row in lost.rows)
    veto = document.tables[2 + len(spec.categories)]
    assert [c.text for c in veto.rows[1].cells][:3] == ["长岗村", "发生电信诈骗案件", "电信诈骗：冒充公检法诈骗"]


def pdf_text(pdf):
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_pdf_report_equals_the_engine(adjusted_round, login):
    expected = engine(adjusted_round)
    response = fetch_document(login("county"), f"/evaluation/{adjusted_round.pk}/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for r in expected.values():
        line = next(line for line in text.splitlines() if f" {r.name} " in f" {line} " and r.status in line)
        tokens = line.split()
        assert float(tokens[tokens.index(r.status) - 1]) == r.total
    assert "冒充公检法诈骗" in text and "3路探头长期离线" in text


def render_top(pdf, tmp_path, name):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-singlefile", path, tmp_path / name], check=True)
    image = Image.open(tmp_path / f"{name}.png").convert("L")
    # the title and the line under it, below the GB/T 9704 top margin (37 mm of 297, an eighth of the page)
    return image.crop((0, image.height // 8, image.width, image.height // 4))


def test_a_pdf_page_renders_chinese_glyphs(open_round, users, login, tmp_path):
    """The two towns' reports differ in their titles only by 长 and 平 (and the office named under
    them): with boxes instead of glyphs the title band would render the same."""
    first = open_round()
    second = open_round(area=PINGGANG, issuer=PINGGANG)
    county = login("county")
    pdf = fetch_document(county, f"/evaluation/{first.pk}/report.pdf").content
    a = render_top(pdf, tmp_path, "a")
    b = render_top(fetch_document(county, f"/evaluation/{second.pk}/report.pdf").content, tmp_path, "b")
    assert a.getextrema()[0] < 128  # something dark was drawn
    assert ImageChops.difference(a, b).getbbox() is not None
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout
    assert b"CJK" in fonts


def test_publication_list_names_every_village_with_the_engine_total_and_the_dates(adjusted_round, users, login):
    import datetime

    for entry in adjusted_round.entries.select_related("round__scheme", "village"):
        services.evaluate(entry, users["county"])
        services.recognise(entry, users["county"])
    services.publish(adjusted_round, users["county"], datetime.date(2024, 3, 1), datetime.date(2024, 3, 7))
    expected = engine(adjusted_round)
    document = Document(io.BytesIO(fetch_document(login("taskforce"), f"/evaluation/{adjusted_round.pk}/publication.docx").content))
    rows = {row.cells[2].text: (row.cells[3].text, row.cells[4].text) for row in document.tables[0].rows[1:]}
    assert rows == {r.name: (figure(r.total), r.status) for r in expected.values()}
    assert "2024年03月01日至2024年03月07日" in "\n".join(p.text for p in document.paragraphs)


def test_a_report_is_built_by_a_job_that_only_its_user_can_open(adjusted_round, login):
    from safestar.core.models import Job

    county = login("county")
    started = county.get(f"/evaluation/{adjusted_round.pk}/report.docx")
    job = Job.objects.get()
    assert started["Location"] == f"/evaluation/documents/{job.pk}/"
    assert job.status == Job.Status.DONE and job.user.username == "county" and "评查报告" in job.title
    from django.db import connection

    with connection.cursor() as cursor:  # as stored, before the field decrypts it
        cursor.execute(f"SELECT payload FROM {Job._meta.db_table}")
        (stored,), = cursor.fetchall()
    assert '"kind"' not in stored  # kept encrypted, like every job result
    file = county.get(f"/evaluation/documents/{job.pk}/file")
    assert "attachment" in file["Content-Disposition"] and file.content[:2] == b"PK"
    assert "一票否决 1 个" in "\n".join(p.text for p in Document(io.BytesIO(file.content)).paragraphs)
    from safestar.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="export", actor_name="county", object_repr__contains="评查报告（Word）").exists()
    other = login("town")
    assert other.get(f"/evaluation/documents/{job.pk}/").status_code == 404
    assert other.get(f"/evaluation/documents/{job.pk}/file").status_code == 404


def test_the_pdf_is_built_in_the_worker_while_the_page_shows_progress(adjusted_round, login, settings, tmp_path):
    from safestar.core import background
    from safestar.core.tests.test_import_jobs import DB_TASKS, _no_worker_warning, _run_queued

    settings.TASKS, settings.VAR_DIR = DB_TASKS, tmp_path
    county = login("county")
    started = county.get(f"/evaluation/{adjusted_round.pk}/report.pdf")
    assert started.status_code == 302
    waiting = county.get(started["Location"]).content.decode()
    assert 'data-testid="job"' in waiting and "排队中" in waiting and "/file" not in waiting
    assert _no_worker_warning(waiting)  # nobody runs the queue: the page says so
    assert county.get(started["Location"] + "file").status_code == 404  # nothing to fetch yet
    background.beat()
    assert not _no_worker_warning(county.get(started["Location"]).content.decode())
    _run_queued()
    ready = county.get(started["Location"]).content.decode()
    assert "文件已生成" in ready and 'data-testid="job"' not in ready
    pdf = county.get(started["Location"] + "file")
    assert pdf["Content-Type"] == "application/pdf" and "冒充公检法诈骗" in pdf_text(pdf.content)
