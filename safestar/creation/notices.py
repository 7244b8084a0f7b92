"""The two documents of supervision, written with core/documents.py: 督导通报 (one inspection) and
整改通知书 (one rectification plan)."""

from safestar.clock import today
from safestar.core.documents import add_paragraph, add_signature, add_table, docx_response, issuing_office, word_document


def _date(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def office(town):
    return issuing_office(town)


def supervision_notice(inspection, findings):
    town = inspection.town
    findings = list(findings)
    document = word_document(f"关于{inspection.title}情况的通报", issuer=office(town),
                             number=f"{town.name[:2]}平安督〔{inspection.held_on.year}〕{inspection.pk}号")
    villages = "、".join(v.name for v in inspection.villages.order_by("code"))
    departments = "、".join(d.name for d in inspection.departments.order_by("name")) or "镇平安办"
    add_paragraph(document, "各行政村、各有关部门：")
    add_paragraph(
        document,
        f"　　{_date(inspection.held_on)}，镇平安办会同{departments}，对{villages}的“平安法治星”创建工作进行了督导调研。"
        f"共发现问题{len(findings)}个，其中个性问题{sum(1 for f in findings if f.kind == 'individual')}个、"
        f"共性问题{sum(1 for f in findings if f.kind == 'common')}个。现将有关情况通报如下。",
    )
    if inspection.note:
        add_paragraph(document, "一、总体情况", bold=True)
        add_paragraph(document, f"　　{inspection.note}")
    add_paragraph(document, "二、发现的问题", bold=True)
    rows = []
    for i, f in enumerate(findings, start=1):
        plan = getattr(f, "plan", None) if f.kind == "individual" else None
        rows.append((i, f.village.name, f.indicator or "—", f.description, f.get_severity_display(), f.get_kind_display(),
                     _date(plan.deadline) if plan else "专项整治"))
    add_table(document, ["序号", "村", "对应指标", "问题", "严重程度", "类型", "整改期限"], rows)
    add_paragraph(document, "三、工作要求", bold=True)
    add_paragraph(document, "　　对个性问题，有关村要对照整改通知书定向制定整改提升方案，明确责任人和时限，按期整改到位并报镇平安办验收销号；"
                            "对共性问题，由相关部门牵头开展专项整治。镇平安办将跟踪督办，逾期未整改的予以通报。")
    add_signature(document, office(town), today())
    return document


def supervision_notice_response(inspection, findings):
    return docx_response(supervision_notice(inspection, findings), f"督导通报（{inspection.title}）.docx")


def rectification_notice(plan):
    finding = plan.finding
    village = plan.village
    town = village.parent
    document = word_document("整改通知书", issuer=office(town), number=f"{town.name[:2]}平安改〔{finding.found_on.year}〕{plan.pk}号")
    add_paragraph(document, f"{village.name}党支部、村民委员会：")
    add_paragraph(
        document,
        f"　　{_date(finding.found_on)}，在“{finding.inspection.title}”中，发现你村存在以下问题，"
        f"请对照“平安法治星”创建标准制定整改提升方案，于{_date(plan.deadline)}前整改到位，并将整改情况及佐证材料报镇平安办验收销号。",
    )
    add_table(document, ["项目", "内容"], [
        ("村", village.name),
        ("发现的问题", finding.description),
        ("对应指标", finding.indicator or "—"),
        ("严重程度", finding.get_severity_display()),
        ("整改措施", plan.measures or "（由村制定后报镇平安办）"),
        ("责任人", str(plan.responsible) if plan.responsible_id else "（由村确定）"),
        ("整改期限", _date(plan.deadline)),
    ])
    add_paragraph(document, "　　逾期未完成整改的，将在全镇通报，并在年度评查中予以扣分。")
    add_signature(document, office(town), today())
    return document


def rectification_notice_response(plan):
    return docx_response(rectification_notice(plan), f"整改通知书（{plan.village.name}）.docx")
