from django import forms
from django.db.models import Count, OuterRef, Subquery
from django.contrib.contenttypes.models import ContentType
from django.contrib import messages
import base64

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safestar import clock
from safestar.core import edge
from safestar.core.confirm import confirm_first, confirm_step
from safestar.core.lists import paginate, render_list, search
from safestar.core.background import job_task, start, state
from safestar.core.models import Attachment, Job
from safestar.core.pages import stored
from safestar.core.scope import get_visible_or_404, require
from safestar.core.transitions import Refused, history
from safestar.org.models import Division
from safestar.org.roles import Level, can
from safestar.schemes.models import Scheme
from safestar.schemes.services import above_town, town_summary
from safestar.core.widgets import DateInput

from . import reports, services
from .models import BEFORE_REVIEW, Entry, Late, Line, Objection, Round, StarRecord


def _round(request, pk):
    require(can(request.user, "evaluation.view"))
    return get_visible_or_404(Round.objects.select_related("scheme__issuer", "area"), request.user, pk=pk)


def _villages(round, user):
    """The round's villages (its entries, fixed when it was opened) that the user may see."""
    return Division.objects.visible_to(user).filter(pk__in=round.entries.values("village")).order_by("code")


def round_list(request):
    require(can(request.user, "evaluation.view"))
    rounds, q = search(Round.objects.visible_to(request.user).select_related("scheme", "area"), request, ["area__name", "scheme__name"])
    # 1 count, 1 page of rounds (with scheme and area)
    return render_list(request, "evaluation/round_list.html", {
        "page": paginate(request, rounds), "q": q, "can_open": can(request.user, "evaluation.open_round"),
    })


class RoundForm(forms.Form):
    scheme = forms.ModelChoiceField(label="评查方案", queryset=Scheme.objects.none())
    area = forms.ModelChoiceField(label="评查范围（县或乡镇）", queryset=Division.objects.none())
    self_deadline = forms.DateField(label="村自评截止日期", widget=DateInput())
    town_deadline = forms.DateField(label="乡镇初审截止日期", widget=DateInput())
    county_deadline = forms.DateField(label="县级评查截止日期", widget=DateInput())

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.visible_to(user).select_related("issuer")
        self.fields["area"].queryset = Division.objects.visible_to(user).filter(level__in=[Level.COUNTY, Level.TOWN]).order_by("code")


@require_http_methods(["GET", "POST"])
def round_add(request):
    require(can(request.user, "evaluation.open_round"))
    form = RoundForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            round = services.open_round(d["scheme"], d["area"], d["self_deadline"], d["town_deadline"], d["county_deadline"], request.user)
        except Refused as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, f"已组织年度评查：{round}。各村现在可以自评。")
            return redirect(round)
    return render(request, "evaluation/round_form.html", {"form": form})


@stored
def round_detail(request, pk):
    """The round's results. A town (or village) user: every village in scope with its total, status,
    veto and cause, rank in its town and in the round, its stage. A county (or city) user: one row
    per town (villages by stage and by result, average, bands, stars, pending incidents), each
    drilling down to the town's villages (round_town); the queries do not grow with the villages."""
    round = _round(request, pk)
    if not above_town(request.user.division):
        return _round_page(request, round, _villages(round, request.user))
    villages = _villages(round, request.user)
    ranked = services.round_results(round, villages)  # the engine's fixed set of queries (stored results)
    towns = town_summary(ranked, villages, [b.name for b in round.scheme.spec.bands])
    _add_stages(round, villages, towns)
    waiting = [({"code": t["code"], "name": t["name"]}, t["waiting_county"]) for t in towns if t["waiting_county"]]
    late = [({"code": t["code"], "name": t["name"]}, t["late_forwarded"], _admit_forward_text(t["name"], t["late_forwarded"]))
            for t in towns if t["late_forwarded"]] if can(request.user, "evaluation.late_town", round) else []
    return render(request, "evaluation/round_detail.html", {
        **_publication(request, round, villages, with_rows=False),
        **_late_context(round, request.user),
        "round": round, "summary": True, "towns_summary": paginate(request, towns),
        "county_batches": waiting if Entry.flow.may(request.user, "evaluate", round) else [],
        "late_forward_batches": late,
        "can_publish": bool(Round.flow.allowed(round, request.user)), "today": clock.today(),
        "stage_labels": [label for _, label in Entry.Status.choices],
        "bands": bool(round.scheme.spec.bands),
    })


@stored
def round_town(request, pk, code):
    """The county's drill-down from the round page: one town's villages in the round, a page at a
    time, ranked in the town and in the round, with their stages (and that town's part of the
    publication)."""
    round = _round(request, pk)
    town = get_visible_or_404(Division.objects.filter(level=Level.TOWN), request.user, code=code)
    return _round_page(request, round, _villages(round, request.user).filter(parent=town), town=town)


def _round_page(request, round, villages, town=None):
    """The per-village page: the whole page of a town or village user (round_detail), or a town's
    part of the round for a county user (round_town): its villages a page at a time."""
    ranked = services.round_results(round, villages)  # the engine's fixed set of queries
    page = paginate(request, ranked) if town is not None else None
    shown = page.object_list if page is not None else ranked
    entries = {e.village_id: e for e in round.entries.filter(village__in=[r.village for r in shown]).select_related("village")}  # 1 query
    rows = [(r, entries.get(r.village)) for r in shown]
    return render(request, "evaluation/round_detail.html", {
        **_publication(request, round, villages, with_rows=True),
        "round": round, "rows": rows, "page": page, "town": town,
        "towns": _town_states(round, request.user) if town is None else [],
        "county_batches": _county_batches(round, request.user, rows) if town is None else _town_batch(round, request.user, villages, town),
        "can_publish": town is None and bool(Round.flow.allowed(round, request.user)), "today": clock.today(),
        **_late_context(round, request.user),
    })


def _late_context(round, user):
    """The deadlines' part of a round page: what a late submission does (and the form to choose it,
    for the office that chooses) and the confirmation text of forwarding, late or not."""
    step = services.forward_step(round)
    return {"late": _late_policies(round, user), "late_choices": Late.choices,
            "forward_confirm": Entry.flow[step].confirm, "forward_confirm_late": step == "forward_late"}


def _publication(request, round, villages, with_rows):
    """The publication's part of a round page: the frozen list (`with_rows`: a town's or a village's
    page, never the county's summary), the changes since, the objections and the form to record one
    (for the villages of the page: on the county's summary, one town at a time)."""
    if round.status != Round.Status.PUBLISHED:
        return {"publication": False, "published": [], "changes": [], "objections": [], "objection_form": None}
    objections = list(round.objections.visible_to(request.user).select_related("village", "recorded_by"))
    for objection in objections:
        objection.steps = Objection.flow.allowed(objection, request.user)
    return {
        "publication": True,
        "published": services.published_rows(round, villages) if with_rows else [],
        "changes": services.publication_changes(round, villages),
        "objections": objections,
        "objection_form": ObjectionForm(villages=villages.filter(pk__in=round.entries.values("village")))
        if with_rows and can(request.user, "evaluation.publish", round) else None,
    }


def _add_stages(round, villages, towns):
    """Each town row of the summary gets `stages` [(label, n)] (its villages by stage, in the order
    of the workflow), `waiting_county` (waiting for the county's evaluation), `late_forwarded` (forwarded
    late, waiting for the county's consent) and `stars` (villages
    whose latest star record of the round is an award). One grouped query."""
    latest = StarRecord.objects.filter(round=round, village=OuterRef("village")).order_by("-id").values("action")[:1]
    grouped = (round.entries.filter(village__in=villages).annotate(star=Subquery(latest)).order_by()
               .values_list("village__parent__code", "status", "star").annotate(n=Count("id")))
    counts, stars = {}, {}
    for code, status, star, n in grouped:
        counts.setdefault(code, {}).setdefault(status, 0)
        counts[code][status] += n
        if star == StarRecord.Action.AWARDED:
            stars[code] = stars.get(code, 0) + n
    source = Entry.flow["evaluate"].source
    for t in towns:
        mine = counts.get(t["code"], {})
        t["stages"] = [mine.get(status, 0) for status in Entry.Status.values]
        t["waiting_county"] = sum(mine.get(status, 0) for status in source)
        t["late_forwarded"] = mine.get(Entry.Status.LATE_FORWARDED, 0)
        t["stars"] = stars.get(t["code"], 0)


class ObjectionForm(forms.Form):
    village = forms.ModelChoiceField(label="村", queryset=Division.objects.none(), empty_label="请选择村")
    raised_by = forms.CharField(label="异议人", max_length=50)
    received_on = forms.DateField(label="收到日期", widget=DateInput())
    content = forms.CharField(label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages.order_by("code")


@require_POST
def objection_add(request, pk):
    """登记公示异议 against a village of the published round."""
    round = _round(request, pk)
    require(can(request.user, "evaluation.publish", round))
    form = ObjectionForm(request.POST, villages=_villages(round, request.user).filter(pk__in=round.entries.values("village")))
    if not form.is_valid():
        messages.error(request, "登记异议失败：" + "；".join(f"{form.fields[f].label if f in form.fields else ''}{'：' if f in form.fields else ''}{e}"
                                                     for f, errors in form.errors.items() for e in errors))
        return redirect(round)
    try:
        d = form.cleaned_data
        services.record_objection(round, d["village"], request.user, raised_by=d["raised_by"], received_on=d["received_on"], content=d["content"])
    except Refused as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已登记对{d['village'].name}的公示异议。")
    return redirect(round)


@require_POST
def objection_decide(request, pk, step):
    """异议成立 / 不成立, with the handling written down."""
    objection = get_visible_or_404(Objection.objects.select_related("round"), request.user, pk=pk)
    if step not in Objection.flow:
        raise Http404
    require(Objection.flow.may(request.user, step, objection))
    try:
        done = services.decide_objection(objection, step, request.user, request.POST.get("reason", ""))
    except Refused as exc:
        messages.error(request, exc.messages[0])
    else:
        if done:
            messages.success(request, f"已处理：{objection}（{objection.get_status_display()}）")
        else:
            messages.info(request, "该异议已由他人处理。")
    return redirect(objection.round)


def _late_policies(round, user):
    """What a late submission does in this round, as the page states it: the county's choice for the
    towns' forwarding, and the user's town's for its villages (or each town's, for the county), with
    `editable` where the user is the one who chooses."""
    towns = Division.objects.filter(pk__in=round.entries.values("village__parent")).order_by("code")
    if user.division.level in (Level.TOWN, Level.VILLAGE):  # only its own town's choice
        towns = towns.filter(pk=user.division_id if user.division.level == Level.TOWN else user.division.parent_id)
    rows = [{"stage": "self", "what": f"{town.name}村自评逾期提交", "policy": services.late_policy(round, "self", town.pk),
             "editable": round.status == Round.Status.OPEN and town.pk == user.division_id and can(user, "evaluation.late_self", round)}
            for town in towns]
    rows.append({"stage": "town", "what": "乡镇逾期报送县级评查", "policy": services.late_policy(round, "town"),
                 "editable": round.status == Round.Status.OPEN and can(user, "evaluation.late_town", round)})
    return rows


@require_POST
def round_late(request, pk, stage):
    """The town (its villages' late self-assessments) or the county (the towns' late forwarding)
    chooses what a late submission does in this round: audited on the round."""
    round = _round(request, pk)
    if stage not in services.LATE_STAGES:
        raise Http404("页面不存在，或不在您的数据范围内。")
    require(can(request.user, services.LATE_STAGES[stage], round))
    value = edge.choice(request.POST.get("policy"), Late)
    try:
        services.set_late_policy(round, stage, request.user, value or "")
    except Refused as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已设定逾期的处理：{Late(value).label}。")
    return redirect(round)


def _town_states(round, user):
    """For a town office: its town's progress and whether it can forward to the county."""
    if not can(user, "evaluation.review_town"):
        return []  # the task force sees the progress too; only the safety office forwards
    town = user.division
    counts = {}
    for status in services.town_entries(round, town).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    waiting = sum(counts.get(s, 0) for s in BEFORE_REVIEW)
    ready = sum(counts.get(s, 0) for s in Entry.flow["forward"].source)
    return [{"town": town, "counts": [(Entry.Status(s).label, n) for s, n in counts.items()], "waiting": waiting,
             "ready": waiting == 0 and ready > 0 and Entry.flow.may(user, "forward")}]


def _county_batches(round, user, rows):
    """For the county evaluator: [(town, number of its villages waiting for the county)] of the
    round's rows (already fetched: no query)."""
    if not Entry.flow.may(user, "evaluate", round):
        return []
    source, waiting = Entry.flow["evaluate"].source, {}
    for _, entry in rows:
        if entry is not None and entry.status in source:
            waiting[entry.village.parent_id] = waiting.get(entry.village.parent_id, 0) + 1
    towns = Division.objects.in_bulk(list(waiting)) if waiting else {}
    return sorted(((towns[t], n) for t, n in waiting.items()), key=lambda tn: tn[0].code)


def _town_batch(round, user, villages, town):
    """[(town, number of its villages waiting for the county)] for the county evaluator on a town's
    page (all its villages, not only the page shown): one count."""
    if not Entry.flow.may(user, "evaluate", round):
        return []
    waiting = round.entries.filter(village__in=villages, status__in=Entry.flow["evaluate"].source).count()
    return [(town, waiting)] if waiting else []


@require_POST
def round_forward(request, pk, code):
    round = _round(request, pk)
    town = get_visible_or_404(Division.objects.filter(level=Level.TOWN), request.user, code=code)
    require(Entry.flow.may(request.user, "forward"))
    step = Entry.flow["forward"]
    waiting = Entry.objects.visible_to(request.user).filter(round=round, village__parent=town, status__in=step.source).select_related("village")
    if (asking := confirm_step(request, step, town.name, items=[e.village.name for e in waiting.order_by("village__code")],
                               cancel=round.get_absolute_url())) is not None:
        return asking
    try:
        if services.forward_town(round, town, request.user):
            messages.success(request, f"{town.name}各村的初审结果已报送县级评查。")
        else:
            messages.info(request, "没有待报送的村，或已由他人报送。")
    except Refused as exc:
        messages.error(request, exc.messages[0])
    return redirect(round)


def _admit_forward_text(town, n):
    return f"{town}的 {n} 个村逾期报送，同意后一起进入县级评查（仍标记“逾期”）。"


@require_POST
def round_admit_forward(request, pk, code):
    """The county consents to a town's late forwarding for all its waiting villages at once (the
    confirmation lists them); one village at a time stays possible on its entry's page."""
    round = _round(request, pk)
    town = get_visible_or_404(Division.objects.filter(level=Level.TOWN), request.user, code=code)
    require(can(request.user, "evaluation.late_town", round))
    step = Entry.flow["admit_forward"]
    waiting = [e.village.name for e in Entry.objects.visible_to(request.user).filter(
        round=round, village__parent=town, status__in=step.source).select_related("village").order_by("village__code")]
    text = _admit_forward_text(town.name, len(waiting)) if waiting else ""
    if (asking := confirm_first(request, text, title=f"{step.title}：{town.name}", subject=town.name, items=waiting,
                                cancel=round.get_absolute_url())) is not None:
        return asking
    try:
        moved = services.admit_forward_town(round, town, request.user)
    except Refused as exc:
        messages.error(request, exc.messages[0])
    else:
        if moved:
            messages.success(request, f"已同意{town.name} {moved} 个村的逾期报送，这些村进入县级评查。")
        else:
            messages.info(request, f"{town.name}没有待同意的逾期报送，或已由他人处理。")
    return redirect(round)


@require_http_methods(["GET", "POST"])
def round_evaluate_town(request, pk, code):
    """县级评查完成 for a town's villages at once: the page lists every entry that will change (and
    those left out, and why); confirming takes the step for all of them or none."""
    round = _round(request, pk)
    town = get_visible_or_404(Division.objects.filter(level=Level.TOWN), request.user, code=code)
    require(Entry.flow.may(request.user, "evaluate", round))
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
        try:
            moved = services.evaluate_town(round, town, request.user, ids)
        except Refused as exc:
            messages.error(request, exc.messages[0])
            return redirect("evaluation-round-evaluate-town", pk=round.pk, code=town.code)
        messages.success(request, f"已完成{town.name} {moved} 个村的县级评查，可以逐村认定。")
        return redirect(round)
    ready, skipped = services.county_batch(round, town, request.user)
    results = {r.village: r for r in services.round_results(round, Division.objects.filter(pk__in=[e.village_id for e in ready]))}
    rows = []
    for entry in ready:
        result = results.get(entry.village_id)
        note = f"当前得分 {result.total:g}，{result.status}" if result else ""
        rows.append((entry.village.name, entry.get_absolute_url(), f"{entry.get_status_display()} → {Entry.Status.EVALUATED.label}", note))
    return render(request, "core/batch_confirm.html", {
        "title": f"批量完成县级评查：{town.name}", "subject_label": "村", "rows": rows, "ids": [e.pk for e in ready],
        "intro": f"{round}中{town.name}以下各村将一起标记为“县级已评查”（全部成功或全部不执行），之后逐村认定并锁定。",
        "skipped": [(e.village.name, why) for e, why in skipped], "button": "确认完成县级评查",
        "none": f"{town.name}没有待县级评查的村。", "back": round.get_absolute_url(),
    })


class PublishForm(forms.Form):
    start = forms.DateField(label="公示开始日期", widget=DateInput())
    end = forms.DateField(label="公示结束日期", widget=DateInput())


@require_POST
def round_publish(request, pk):
    round = _round(request, pk)
    require(Round.flow.may(request.user, "publish"))
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写公示开始和结束日期。")
        return redirect(round)
    try:
        if services.publish(round, request.user, form.cleaned_data["start"], form.cleaned_data["end"]):
            messages.success(request, "评查结果已公示。")
        else:
            messages.info(request, "该轮评查已经公示。")
    except Refused as exc:
        messages.error(request, exc.messages[0])
    return redirect(round)


def _entry(request, pk):
    require(can(request.user, "evaluation.view"))
    return get_visible_or_404(Entry.objects.select_related("round__scheme__issuer", "round__area", "village", "recognised_by__division"),
                              request.user, pk=pk)


def entry_detail(request, pk):
    entry = _entry(request, pk)
    user = request.user
    result = services.entry_result(entry)
    lines = {line.indicator: line for line in entry.lines.select_related("town_by", "county_by")}
    indicators = {i.code: i for i in entry.round.scheme.spec.indicators()}
    attachments = {}
    line_type = ContentType.objects.get_for_model(Line)
    by_pk = {line.pk: line.indicator for line in lines.values()}
    for a in Attachment.objects.alive().filter(content_type=line_type, object_id__in=by_pk):
        attachments.setdefault(by_pk[a.object_id], []).append(a)
    rows = [{"result": i, "line": lines.get(i.code), "level": services.line_level(entry, user, indicators[i.code]),
             "attachments": attachments.get(i.code, [])} for i in result.indicators]
    stars = StarRecord.objects.visible_to(user).filter(village=entry.village, year=entry.round.scheme.year).select_related("incident", "by")
    actions = _actions(entry, user)
    return render(request, "evaluation/entry_detail.html", {
        "entry": entry, "result": result, "rows": rows, "actions": actions, "stars": stars, "line_type": line_type.pk,
        "events": history(entry, user),
    })


def _actions(entry, user):
    """The entry's steps `user` may take now, from its transition table and the round's late policy (the page's buttons)."""
    return services.steps(entry, user)


@require_POST
def entry_action(request, pk, action):
    entry = _entry(request, pk)
    if action not in services.STEPS:
        raise Http404("页面不存在，或不在您的数据范围内。")
    require(Entry.flow.may(request.user, action, entry))
    step = Entry.flow[action]
    if (asking := confirm_step(request, step, entry, cancel=entry.get_absolute_url())) is not None:
        return asking
    try:
        if services.take(entry, action, request.user, request.POST.get("reason", "")):
            messages.success(request, f"{step.label}：{entry.village.name}。")
        else:
            messages.info(request, f"{entry.village.name}的评查材料状态已经变化（可能已由他人处理），请查看当前状态。")
    except Refused as exc:
        messages.error(request, exc.messages[0])
    return redirect(entry)


@require_POST
def entry_line(request, pk, code):
    entry = _entry(request, pk)
    points = request.POST.get("points", "").strip()
    value = edge.number(points) if points else None
    if points and value is None:
        messages.error(request, "得分应为数字")
        return redirect(entry)
    try:
        services.save_line(entry, code, request.user, explanation=request.POST.get("explanation"), points=value,
                           reason=request.POST.get("reason", "").strip())
        messages.success(request, f"已保存 {code}。")
    except Refused as exc:
        messages.error(request, exc.messages[0])
    return redirect(entry.get_absolute_url() + f"#line-{code}")


def entry_xlsx(request, pk):
    entry = _entry(request, pk)
    return reports.entry_sheet(entry)


def round_xlsx(request, pk):
    round = _round(request, pk)
    return reports.summary_sheet(round, _villages(round, request.user))


# The Word and PDF reports take seconds (the PDF 5–13 s): the link starts a background job (core/background.py)
# and sends the user to its page, which shows its progress and then offers the file; the file is the job's
# (encrypted) result, only its user can fetch it, and the cleanup removes it with the job.
DOCUMENTS = {
    "report-docx": ("评查报告（Word）", lambda round, villages, user: reports.report_docx(round, villages, actor=user)),
    "report-pdf": ("评查报告（PDF）", lambda round, villages, user: reports.report_pdf(round, villages, actor=user)),
    "publication-docx": ("公示名单（Word）", lambda round, villages, user: reports.publication_docx(round, villages)),
}


@job_task
def document_job(progress, user, round, kind):
    """Build one of the round's documents for `user` (only the villages they may see) in the worker."""
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(pk=user)
    round_ = Round.objects.select_related("scheme__issuer", "area").get(pk=round)
    progress.progress(0, 1, "正在生成文件", force=True)
    response = DOCUMENTS[kind][1](round_, _villages(round_, owner), owner)  # the export is audited as the owner's
    progress.progress(1, 1, "文件已生成", force=True)
    return {"round": round_.pk, "kind": kind, "type": response["Content-Type"],
            "disposition": response["Content-Disposition"], "content": base64.b64encode(response.content).decode()}


def _start_document(request, round, kind):
    job = start(request.user, document_job, f"生成{round}{DOCUMENTS[kind][0]}", user=request.user.pk, round=round.pk, kind=kind)
    return redirect("evaluation-document", job.pk)


def report_docx(request, pk):
    return _start_document(request, _round(request, pk), "report-docx")


def report_pdf(request, pk):
    return _start_document(request, _round(request, pk), "report-pdf")


def publication_docx(request, pk):
    round = _round(request, pk)
    if round.status != Round.Status.PUBLISHED:
        messages.error(request, "该轮评查尚未公示。")
        return redirect(round)
    return _start_document(request, round, "publication-docx")


def _document_job(request, job):
    """The user's own document job (anybody else: 404), for a round they can still see."""
    job = get_object_or_404(Job, pk=job, user=request.user, task=document_job.module_path)
    return job


def document_page(request, job):
    job = _document_job(request, job)
    result = job.result if job.status == Job.Status.DONE else None
    round = _round(request, result["round"]) if result else None
    return render(request, "evaluation/document.html", {
        "job": job, "job_state": state(job), "result": result, "round": round,
        "label": DOCUMENTS[result["kind"]][0] if result else "",
    })


def document_file(request, job):
    job = _document_job(request, job)
    if job.status != Job.Status.DONE:
        raise Http404("文件尚未生成")
    result = job.result
    _round(request, result["round"])  # the user may still see the round
    response = HttpResponse(base64.b64decode(result["content"]), content_type=result["type"])
    response["Content-Disposition"] = result["disposition"]
    response["Cache-Control"] = "no-store"
    return response


def star_list(request):
    require(can(request.user, "evaluation.view"))
    stars, q = search(StarRecord.objects.visible_to(request.user).select_related("village", "incident", "by"), request, ["village__name"])
    # 1 count, 1 page of records (with village, incident and who)
    return render_list(request, "evaluation/star_list.html", {"page": paginate(request, stars), "q": q})
