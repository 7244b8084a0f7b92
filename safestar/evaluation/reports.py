"""The round's documents: the per-village score sheet and the summary (xlsx), the evaluation report
(Word and PDF) and the publication list (Word). Every number comes from the engine's results
(services.round_results), through the shared sheet and document helpers."""

import builtins
import io

from docx.shared import Cm
from django.utils import timezone

from safestar.audit.log import record
from safestar import clock
from safestar.core.documents import (
    add_heading, add_paragraph, add_signature, issuing_office, add_table, bar_chart_png, docx_response, pdf_response, png_data_uri, word_document,
)
from safestar.core.sheets import Column, write_xlsx, xlsx_response
from safestar.schemes.engine import FAILED, PASSED, UNDETERMINED, VETOED

from . import services
from .models import Entry
from safestar.core.numbers import figure

ENTRY_COLUMNS = (
    Column("category", "类别", width=20),
    Column("code", "编号", width=8),
    Column("title", "指标", width=40),
    Column("points", "分值", width=8),
    Column("measured", "实际", width=14),
    Column("proposed", "系统建议得分", width=10),
    Column("explanation", "村自评说明", width=30),
    Column("town", "乡镇调整得分", width=10),
    Column("town_reason", "乡镇调整理由", width=24),
    Column("county", "县级调整得分", width=10),
    Column("county_reason", "县级调整理由", width=24),
    Column("awarded", "最终得分", width=10),
    Column("reason", "失分原因", width=40),
)


def _num(value):
    return "" if value is None else value


def entry_rows(entry, result):
    lines = {line.indicator: line for line in entry.lines.all()}
    rows = []
    for i in result.indicators:
        line = lines.get(i.code)
        rows.append((
            i.category, i.code, i.title, i.points, i.measured,
            _num(line.proposed if line else None), line.explanation if line else "",
            _num(line.town_points if line else None), line.town_reason if line else "",
            _num(line.county_points if line else None), line.county_reason if line else "",
            "待定" if i.awarded is None else i.awarded, i.reason,
        ))
    rows.append(("合计", "", f"结果：{result.status}" + (f"（{result.band}）" if result.band else ""), entry.round.scheme.spec.total,
                 "", "", "", "", "", "", "", result.total, "；".join(f"否决：{v.title}" for v in result.vetoes)))
    return rows


def entry_sheet(entry):
    result = services.entry_result(entry)
    record("export", entry, object_repr=f"导出评分表：{entry}")
    content = write_xlsx(title=f"{entry.village.name}{entry.round.scheme.year}年{entry.round.scheme.star}评分表", columns=ENTRY_COLUMNS,
                         rows=entry_rows(entry, result), unit=entry.village.name, period=f"{entry.round.scheme.year}年", sheet_name="评分表")
    return xlsx_response(content, f"{entry.village.name}{entry.round.scheme.year}年评分表.xlsx")


SUMMARY_COLUMNS = (
    Column("county_rank", "总排名", width=8),
    Column("town_rank", "镇内排名", width=8),
    Column("town", "乡镇", width=14),
    Column("village", "村", width=12),
    Column("code", "区划代码", width=16),
    Column("total", "得分", width=10),
    Column("status", "结果", width=8),
    Column("band", "星级档次", width=12),
    Column("veto", "否决事项及原因", width=40),
    Column("stage", "评查阶段", width=14),
    Column("late", "逾期", width=16),
    Column("losses", "主要失分", width=50),
)


def _veto_text(result):
    return "；".join(f"{v.title}（" + "、".join(f"{x.date:%Y-%m-%d} {x.title}" for x in v.incidents) + "）" for v in result.vetoes)


def summary(round, villages):
    """(results, {village id: entry}, {village id: town name}) for the villages in scope."""
    ranked = services.round_results(round, villages)
    entries = {e.village_id: e for e in Entry.objects.filter(round=round, village__in=villages)}
    towns = dict(villages.values_list("id", "parent__name"))
    return ranked, entries, towns


def summary_rows(round, villages):
    ranked, entries, towns = summary(round, villages)
    for r in ranked:
        entry = entries.get(r.village)
        yield (_num(r.county_rank), _num(r.town_rank), towns.get(r.village, ""), r.name, r.code, r.total, r.status, r.band,
               _veto_text(r), entry.get_status_display() if entry else "", entry.late_marks if entry else "",
               "；".join(f"{i.code}失{figure(i.lost)}分：{i.reason}" for i in r.main_losses()))


def summary_sheet(round, villages):
    record("export", round, object_repr=f"导出评查汇总表：{round}")
    content = write_xlsx(title=f"{round}汇总表", columns=SUMMARY_COLUMNS, rows=summary_rows(round, villages), unit=round.area.name,
                         period=f"{round.scheme.year}年", sheet_name="汇总表")
    return xlsx_response(content, f"{round}汇总表.xlsx")


def report_context(round, villages):
    ranked, entries, towns = summary(round, villages)
    spec = round.scheme.spec
    counts = {s: sum(1 for r in ranked if r.status == s) for s in (PASSED, FAILED, VETOED, UNDETERMINED)}
    categories = []
    for category in spec.categories:
        codes = {i.code for i in category.indicators}
        rows = []
        for r in ranked:
            got = sum(i.awarded or 0 for i in r.indicators if i.code in codes)
            rows.append((r.name, round_points(got), round_points(category.points - got)))
        categories.append({"title": category.title, "points": category.points, "rows": rows})
    losses = [(r.name, i.code, i.title, round_points(i.lost), i.reason) for r in ranked for i in r.indicators
              if i.awarded is not None and i.lost > 1e-9]
    vetoes = [(r.name, v.title, x) for r in ranked for v in r.vetoes for x in v.incidents]
    top = max([spec.total] + [r.total for r in ranked])
    chart = bar_chart_png([(r.name, r.total, COLOURS.get(r.status, "#757575")) for r in ranked], maximum=top, marker=spec.pass_mark)
    return {
        "round": round, "spec": spec, "results": ranked, "towns": towns, "counts": counts, "categories": categories,
        "losses": losses, "vetoes": vetoes, "chart": chart, "chart_uri": png_data_uri(chart), "today": clock.today(), "office": issuing_office(round.area),
        "entries": entries,
    }


COLOURS = {PASSED: "#2e7d32", VETOED: "#c62828", UNDETERMINED: "#f9a825"}


def round_points(value):
    return builtins.round(value, 2)  # (`round` is the evaluation round in this module)


def _overview(context):
    c, spec = context["counts"], context["spec"]
    standard = f"达标线 {figure(spec.pass_mark)} 分" if spec.pass_mark is not None else "分档：" + "、".join(f"{b.name}≥{figure(b.min)}分" for b in spec.bands)
    return (f"本轮评查按《{spec.name}》（满分 {figure(spec.total)} 分，{standard}）进行，共评查 {len(context['results'])} 个村："
            f"达标 {c[PASSED]} 个，未达标 {c[FAILED]} 个，一票否决 {c[VETOED]} 个，待定 {c[UNDETERMINED]} 个。")


def report_docx(round, villages, actor=None):
    context = report_context(round, villages)
    document = word_document(f"{round}报告", issuer=issuing_office(round.area))
    add_heading(document, "一、总体情况")
    add_paragraph(document, _overview(context))
    add_heading(document, "二、各村得分与排名")
    add_table(document, ["总排名", "镇内排名", "乡镇", "村", "得分", "结果", "星级档次"],
              [(r.county_rank or "—", r.town_rank or "—", context["towns"].get(r.village, ""), r.name, f"{figure(r.total)}", r.status, r.band)
               for r in context["results"]])
    add_paragraph(document, "得分图（按得分排序）：")
    document.add_picture(io.BytesIO(context["chart"]), width=Cm(15))
    add_heading(document, "三、分类得分")
    for category in context["categories"]:
        add_heading(document, f"{category['title']}（{figure(category['points'])}分）", level=2)
        add_table(document, ["村", "得分", "失分"], [(n, f"{figure(g)}", f"{figure(lost)}") for n, g, lost in category["rows"]])
    add_heading(document, "四、失分情况")
    if context["losses"]:
        add_table(document, ["村", "编号", "指标", "失分", "原因"], [(n, c, t, f"{figure(lost)}", why) for n, c, t, lost, why in context["losses"]])
    else:
        add_paragraph(document, "无失分。")
    add_heading(document, "五、一票否决")
    if context["vetoes"]:
        add_table(document, ["村", "否决事项", "案事件", "发生日期"], [(n, t, f"{x.kind_name}：{x.title}", f"{x.date:%Y-%m-%d}") for n, t, x in context["vetoes"]])
    else:
        add_paragraph(document, "无一票否决事项。")
    add_signature(document, issuing_office(round.area), clock.today())
    record("export", round, actor=actor, object_repr=f"导出评查报告（Word）：{round}")
    return docx_response(document, f"{round}报告.docx")


def report_pdf(round, villages, request=None, actor=None):
    context = report_context(round, villages)
    context["overview"] = _overview(context)
    record("export", round, actor=actor, object_repr=f"导出评查报告（PDF）：{round}")
    return pdf_response("evaluation/report.html", context, f"{round}报告.pdf", request)


def publication_docx(round, villages):
    """The publication as published (the round's frozen snapshot), the same file whenever downloaded:
    what changed afterwards is on the round's page, never in this document."""
    rows = services.published_rows(round, villages)
    document = word_document(f"{round}结果公示")
    add_paragraph(document, f"根据《{round.scheme.name}》，经村自评、乡镇初审、县级评查和认定，现将评查结果予以公示。"
                            f"公示期：{round.publish_start:%Y年%m月%d日}至{round.publish_end:%Y年%m月%d日}。"
                            f"如有异议，请在公示期内向{issuing_office(round.area)}反映。")
    add_table(document, ["序号", "乡镇", "村", "得分", "结果", "星级档次"],
              [(n, r["town"], r["name"], figure(r["total"]), r["status"], r["band"]) for n, r in enumerate(rows, start=1)])
    add_signature(document, issuing_office(round.area), round.publish_start)
    record("export", round, object_repr=f"导出公示名单：{round}")
    return docx_response(document, f"{round}结果公示.docx", moment=timezone.localtime(round.published_at))
