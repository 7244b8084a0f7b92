"""The town's summary of its villages' work reports for one period (报县级), written with core/documents.py."""

from safestar.clock import today
from safestar.core.documents import add_paragraph, add_signature, add_table, docx_response, word_document

from .models import ReportStatus, Timeliness
from .services import ledger_title


def office(town):
    return f"{town.name}平安建设工作领导小组办公室"


def summary(requirement, number, town, rows):
    """`rows`: [(village, report or None, timeliness)] of the town's villages (services.standing)."""
    label = requirement.period_label(number)
    _, end, due = requirement.bounds(number)
    document = word_document(f"{town.name}{label}{requirement.title}汇总", issuer=office(town),
                             number=f"{town.name[:2]}平安报〔{requirement.year}〕{requirement.pk}-{number}号")
    counted = {kind: sum(1 for _, _, t in rows if t == kind) for kind in Timeliness}
    accepted = [(village, report) for village, report, _ in rows if report is not None and report.status == ReportStatus.ACCEPTED]
    add_paragraph(document, f"{requirement.issuer.name}平安办：")
    add_paragraph(
        document,
        f"　　按照“{requirement.title}”的要求（{label}，{due.month}月{due.day}日前报送），全镇{len(rows)}个行政村应报{len(rows)}份，"
        f"按时报送{counted[Timeliness.ON_TIME]}份、逾期报送{counted[Timeliness.LATE]}份、未报{counted[Timeliness.MISSING] + counted[Timeliness.PENDING]}份，"
        f"经镇平安办审核采纳{len(accepted)}份。现将汇总情况报告如下。",
    )
    add_paragraph(document, "一、报送情况", bold=True)
    add_table(document, ["序号", "村", "报送情况", "首次报送日期", "审核"], [
        (i, village.name, timeliness.label, report.first_submitted_on.strftime("%Y-%m-%d") if report and report.first_submitted_on else "—",
         report.get_status_display() if report else "未填报")
        for i, (village, report, timeliness) in enumerate(rows, start=1)
    ])
    if requirement.ledgers:
        add_paragraph(document, "二、主要数据（已采纳的汇报）", bold=True)
        header = ["村"] + [ledger_title(slug) for slug in requirement.ledgers]
        table = [[village.name] + [report.counts.get(slug, "—") for slug in requirement.ledgers] for village, report in accepted]
        table.append(["合计"] + [sum(report.counts.get(slug, 0) for _, report in accepted) for slug in requirement.ledgers])
        add_table(document, header, table)
    add_paragraph(document, "三、各村工作情况" if requirement.ledgers else "二、各村工作情况", bold=True)
    for village, report in accepted:
        add_paragraph(document, f"　　{village.name}：{report.text or '（未填写）'}")
    if not accepted:
        add_paragraph(document, "　　本期暂无已采纳的村汇报。")
    late = [village.name for village, _, t in rows if t == Timeliness.LATE]
    missing = [village.name for village, _, t in rows if t in (Timeliness.MISSING, Timeliness.PENDING)]
    if late or missing:
        add_paragraph(document, "四、需要说明的情况" if requirement.ledgers else "三、需要说明的情况", bold=True)
        if late:
            add_paragraph(document, f"　　逾期报送：{'、'.join(late)}。")
        if missing:
            add_paragraph(document, f"　　截至{today().month}月{today().day}日未报送：{'、'.join(missing)}。镇平安办将督促补报。")
    add_signature(document, office(town), today())
    return document


def summary_response(requirement, number, town, rows):
    filename = f"{town.name}{requirement.period_label(number)}{requirement.title}汇总.docx"
    return docx_response(summary(requirement, number, town, rows), filename)
