"""The annual evaluation: which villages a round covers, the results (always the engine's), and
every state change — each a step of the entry's or the round's transition table (models.py) taken
through core.transitions: a conditional update with an event row and an audit record in the same
transaction, so two people acting on a stale page cannot both succeed.

Stages of a village's entry:

    村自评中 / 已退回 ──submit──▶ 待乡镇初审 ──review──▶ 乡镇已初审 ──(town forwards all)──▶ 待县级评查
        ▲                            │                                                       │
        └──────────return────────────┘                                           evaluate ──▶ 县级已评查
                                                                                             │ recognise
                                                               unlock (same or higher level) ◀──▶ 已认定（锁定）

and, after a deadline when the town or the county asks for its consent:

    村自评中 / 已退回 ──submit_late──▶ 逾期提交待乡镇同意 ──admit──▶ 待乡镇初审   (or return ──▶ 已退回)
    乡镇已初审 ──(town forwards all, forward_late)──▶ 逾期报送待县级同意 ──admit_forward──▶ 待县级评查

Deadlines (docs/evaluation.md): a self-assessment submitted after the round's self_deadline, or a
town's forwarding after its town_deadline, is late. Per round, the town (for its villages) and the
county (for the towns) choose what a late one does (`Late`, `set_late_policy`): accepted with the
逾期 mark (`submitted_late` / `forwarded_late`, and the step's event says so), the default; or it
goes to a state waiting for their consent (submit_late → admit, forward_late → admit_forward),
still marked.
"""

from functools import partial

from django.db import transaction
from django.utils import timezone

from safestar.audit.log import record
from safestar import clock
from safestar.core.transitions import Refused, check, guard, perform, perform_all
from safestar.org.models import Division
from safestar.org.roles import LEVEL_ORDER, Level, can
from safestar.schemes.engine import PASSED, UNDETERMINED, rank
from safestar.schemes.kinds import kind_of
from safestar.schemes.services import results

from .models import BEFORE_REVIEW, COUNTY_STAGE, TOWN_STAGE, VILLAGE_STAGE, Entry, Late, Line, Objection, Round, StarRecord
from safestar.core.numbers import figure

S = Entry.Status


# -- which villages, and their results ------------------------------------------------------------


def round_villages(round):
    """The villages a round covers: the 创建主体, i.e. the villages under the round's area (and under
    the scheme's issuer) whose application for this star and year the town confirmed (creation app).
    The seed: "由县委政法委牵头相关部门对创建主体进行评查认定"."""
    from safestar.creation.models import Application, ApplicationStatus

    scheme = round.scheme
    confirmed = Application.objects.filter(
        status=ApplicationStatus.CONFIRMED, scheme__issuer=scheme.issuer_id, scheme__year=scheme.year, scheme__star=scheme.star,
    )
    deeper = max(round.area.path, scheme.issuer.path, key=len)
    return Division.objects.filter(level=Level.VILLAGE, path__startswith=deeper, pk__in=confirmed.values("village")).order_by("code")


def given_points(round, villages):
    """{(village id, indicator): (points, reason)} from the round's lines, one query: what the
    engine takes instead of computing (the proposal as submitted, then the latest adjustment)."""
    lines = Line.objects.filter(entry__round=round, entry__village__in=villages).values_list("entry__village_id", "indicator", "proposed", "proposed_reason", "town_points", "town_reason", "county_points", "county_reason")
    recounted = {i.code for i in round.scheme.spec.indicators() if kind_of(i.rule).recounted}
    given = {}
    for village, code, proposed, p_reason, town, t_reason, county, c_reason in lines:
        if code in recounted:  # incidents are recognised by the county, later too: always counted afresh,
            proposed = None    # unless a person adjusted the points with a reason
        line = Line(indicator=code, proposed=proposed, proposed_reason=p_reason, town_points=town, town_reason=t_reason,
                    county_points=county, county_reason=c_reason)
        value = line.given()
        if value is not None:
            given[(village, code)] = value
    return given


def round_results(round, villages):
    """The engine's ranked results for `villages` (already scoped) with the round's points, each
    with `county_rank` (among all the round's villages) and `town_rank` (among the round's villages
    of its town): ranks are the round's, whoever looks."""
    everyone = Division.objects.filter(pk__in=round.entries.values("village"))
    towns = dict(everyone.values_list("id", "parent_id"))
    ranked = results(round.scheme, everyone, variant=round.pk, given=partial(given_points, round))
    for result in ranked:
        result.county_rank = result.rank
    by_town = {}
    for result in ranked:
        by_town.setdefault(towns.get(result.village), []).append(result)
    for group in by_town.values():
        for result in rank(group):
            result.town_rank = result.rank
    shown = set(villages.values_list("id", flat=True))
    ranked = [result for result in ranked if result.village in shown]
    for result in ranked:
        result.rank = result.county_rank
    return ranked


def entry_result(entry):
    """The engine's result for one village with the round's points (no ranks)."""
    village = Division.objects.filter(pk=entry.village_id)
    (result,) = results(entry.round.scheme, village, variant=entry.round_id, given=partial(given_points, entry.round))
    return result


def proposal(entry):
    """The engine's own proposal for the village now, without anything a person gave."""
    (result,) = results(entry.round.scheme, Division.objects.filter(pk=entry.village_id))
    return result


# -- opening a round ------------------------------------------------------------------------------


def open_round(scheme, area, self_deadline, town_deadline, county_deadline, user):
    if not can(user, "evaluation.open_round"):
        raise Refused("只有县政法委评查员可以组织年度评查")
    if area.level not in (Level.COUNTY, Level.TOWN):
        raise Refused("评查范围应为县或乡镇")
    if not self_deadline <= town_deadline <= county_deadline:
        raise Refused("截止日期应依次为：村自评、乡镇初审、县级评查")
    if Round.objects.filter(scheme=scheme, area=area).exists():
        raise Refused(f"{area.name}已有该方案的评查轮次")
    with transaction.atomic():
        round = Round.objects.create(scheme=scheme, area=area, self_deadline=self_deadline, town_deadline=town_deadline,
                                     county_deadline=county_deadline, opened_by=user)
        villages = list(round_villages(round))
        taken = Entry.objects.filter(village__in=villages, round__scheme__issuer=scheme.issuer_id, round__scheme__year=scheme.year,
                                     round__scheme__star=scheme.star).exclude(round=round).select_related("village")[:3]
        if taken:  # one village, one evaluation of a star in a year: its star record is that round's
            names = "、".join(e.village.name for e in taken)
            raise Refused(f"{names}等村已在本年度“{scheme.star}”的其他评查轮次中")
        if not villages:
            raise Refused(f"{area.name}没有已确认的“{scheme.star}”创建村（创建申请须先经乡镇确认），或方案“{scheme.name}”不适用于该范围")
        entries = Entry.objects.bulk_create([Entry(round=round, village=v) for v in villages])
        codes = [i.code for i in scheme.spec.indicators()]
        Line.objects.bulk_create([Line(entry=e, indicator=c) for e in entries for c in codes])
        record("create", round, actor=user, object_repr=f"组织年度评查：{round}",
               changes={"villages": [None, len(villages)], "deadlines": [None, f"{self_deadline} / {town_deadline} / {county_deadline}"]})
    return round


# -- deadlines and late submissions ---------------------------------------------------------------

LATE_STAGES = {"self": "evaluation.late_self", "town": "evaluation.late_town"}


def late_policy(round, stage, town_id=None):
    """What a late submission does in `round`: for "self", the choice of the town `town_id` for its
    villages; for "town", the county's choice. Late.ACCEPT until someone chooses."""
    value = (round.self_late or {}).get(str(town_id), "") if stage == "self" else round.town_late
    return Late(value) if value in Late.values else Late.ACCEPT


def set_late_policy(round, stage, user, value):
    """The town office chooses for its own villages' late self-assessments ("self"), the county for
    the towns' late forwarding ("town"); recorded on the round with an audit record. Refused to
    anybody else, for a published round, or for a value that is not a choice."""
    if stage not in LATE_STAGES:
        raise Refused("未知的评查阶段")
    if value not in Late.values:
        raise Refused("请选择逾期的处理方式")
    if not can(user, LATE_STAGES[stage], round):
        raise Refused("只有本镇平安办可以决定本镇各村逾期提交自评的处理" if stage == "self" else "只有县政法委评查员可以决定乡镇逾期报送的处理")
    town = user.division
    if stage == "self" and not (town.level == Level.TOWN and round.entries.filter(village__parent=town).exists()):
        raise Refused("本镇没有村在该轮评查中")
    if round.status != Round.Status.OPEN:
        raise Refused("评查结果已公示，不能再改逾期的处理方式")
    with transaction.atomic():
        locked = Round.objects.select_for_update(of=("self",)).get(pk=round.pk)
        if stage == "self":
            old = late_policy(locked, "self", town.pk)
            locked.self_late = {**(locked.self_late or {}), str(town.pk): value}
            field, what = "self_late", f"{town.name}村自评逾期提交的处理"
        else:
            old = late_policy(locked, "town")
            locked.town_late, field, what = value, "town_late", "乡镇逾期报送的处理"
        locked.version += 1
        locked.save(update_fields=[field, "version"])
        record("update", locked, actor=user, object_repr=f"{what}：{locked}", changes={field: [old.label, Late(value).label]})
    round.refresh_from_db()
    return round


def _late_note(deadline, what):
    return f"逾期{what}（截止 {deadline:%Y-%m-%d}）"


def submit_step(entry, user):
    """The step that submits `entry`'s self-assessment today for `user`: "submit_late" when the
    self-assessment deadline has passed and the village's town asks for its consent, else "submit".
    The town office filling in for a village (代填) consents by submitting: "submit", still marked."""
    late = clock.today() > entry.round.self_deadline
    if late and late_policy(entry.round, "self", entry.village.parent_id) == Late.APPROVE and not can(user, "evaluation.late_self", entry):
        return "submit_late"
    return "submit"


def steps(entry, user):
    """The entry's steps `user` may take now (the page's buttons, the API's `steps`): its table's,
    with the one submission the round's deadline and late policy allow."""
    allowed = Entry.flow.allowed(entry, user)
    if entry.status in VILLAGE_STAGE:
        other = "submit" if submit_step(entry, user) == "submit_late" else "submit_late"
        allowed = [step for step in allowed if step.name != other]
    return allowed


def admit(entry, user):
    """The town consents to a late self-assessment: it goes to the town's review, still marked 逾期."""
    return perform(entry, "admit", user)


def admit_forward(entry, user):
    """The county consents to a town's late forwarding: the entry goes to the county's evaluation, still marked 逾期."""
    return perform(entry, "admit_forward", user)


def admit_forward_town(round, town, user):
    """The county consents to a town's late forwarding for all its villages waiting for it at once
    (the town forwarded them together): all or none, still marked 逾期; refused to whoever forwarded
    one of them (nobody approves what they handled). Returns how many moved."""
    step = Entry.flow["admit_forward"]
    entries = town_entries(round, town).filter(status__in=step.source)
    with transaction.atomic():
        if entries.filter(forwarded_by=user).exists():
            raise Refused(step.own)
        return perform_all(entries, "admit_forward", user, subject=round, describe=f"{town.name}{step.title}（全镇）：{round}",
                           changes=lambda moved: {"villages": [None, moved]})


# -- moving an entry ------------------------------------------------------------------------------
# Each step is a transition of the entry's table (models.py): core.transitions checks who may take
# it, the reason and that nobody approves what they handled, and makes the conditional update, the
# event row and the audit record. The functions here add what a step does besides.


def submit(entry, user, step="submit"):
    """Submit the self-assessment by `step` ("submit", or "submit_late" when the town's consent is
    needed): Refused when today's deadline and the town's choice call for the other one. After the
    deadline the entry is marked 逾期 and the step's event says so."""
    check(entry, step, user)
    expected = submit_step(entry, user)
    if step != expected:
        if expected == "submit_late":
            raise Refused(f"村自评已于 {entry.round.self_deadline:%Y-%m-%d} 截止，本镇规定逾期提交须经乡镇同意："
                          f"请选择“{Entry.flow['submit_late'].label}”，乡镇同意后进入初审。")
        raise Refused("本村自评提交不需要乡镇同意，请直接“提交自评”。")
    late = clock.today() > entry.round.self_deadline
    with transaction.atomic():
        if not Entry.objects.filter(pk=entry.pk, status__in=VILLAGE_STAGE).exists():
            return False
        # The engine's proposal as submitted: from here on the village's points are these, until
        # the town or the county adjusts them (vetoes are still checked against the incidents).
        result = proposal(entry)
        lines = {line.indicator: line for line in entry.lines.all()}
        for indicator in result.indicators:
            line = lines[indicator.code]
            line.proposed, line.proposed_reason = indicator.awarded, indicator.reason
        Line.objects.bulk_update(lines.values(), ["proposed", "proposed_reason"])
        ok = perform(entry, step, user, changes={"total": [None, result.total]},
                     comment=_late_note(entry.round.self_deadline, "提交自评") if late else "",
                     updates={"submitted_by": user, "submitted_at": timezone.now(), "return_reason": "", "submitted_late": late})
        if not ok:
            transaction.set_rollback(True)
    return ok


def return_to_village(entry, user, reason):
    return perform(entry, "return", user, comment=reason, updates={"return_reason": reason.strip()})


def review(entry, user):
    return perform(entry, "review", user, updates={"reviewed_by": user, "reviewed_at": timezone.now()})


def town_entries(round, town):
    return Entry.objects.filter(round=round, village__path__startswith=town.path)


def forward_town(round, town, user):
    """The town submits upward: only when every one of its villages in the round has been reviewed."""
    if not Entry.flow.may(user, "forward") or user.division_id != town.pk:
        raise Refused(Entry.flow["forward"].refusal(round))
    with transaction.atomic():
        entries = town_entries(round, town)
        waiting = entries.filter(status__in=BEFORE_REVIEW).count()
        if waiting:
            raise Refused(f"还有 {waiting} 个村未完成乡镇初审，不能报送")
        round = Round.objects.get(pk=round.pk)  # the county's choice as it is now
        step = forward_step(round)
        late = clock.today() > round.town_deadline
        note = _late_note(round.town_deadline, "报送") if late else ""
        moved = perform_all(entries, step, user, subject=round, describe=f"{town.name}{Entry.flow[step].title}：{round}",
                            changes=lambda moved: {"villages": [None, moved]} | ({"late": [None, note]} if late else {}),
                            comment=note, updates={"forwarded_by": user, "forwarded_at": timezone.now(), "forwarded_late": late})
    return bool(moved)


def forward_step(round):
    """"forward_late" when the round's town deadline has passed and the county asks for its consent, else "forward"."""
    if clock.today() > round.town_deadline and late_policy(round, "town") == Late.APPROVE:
        return "forward_late"
    return "forward"


def evaluate(entry, user):
    return perform(entry, "evaluate", user, updates={"evaluated_by": user, "evaluated_at": timezone.now()})


def county_batch(round, town, user):
    """(entries the county evaluator may mark 县级评查完成 now, [(entry, why not)]) of `town`'s
    villages in the round: those waiting for the county, less the ones the evaluator handled
    (the step's `not_by`, which perform_all does not check)."""
    step = Entry.flow["evaluate"]
    waiting = list(town_entries(round, town).filter(status__in=step.source).select_related("village").order_by("village__code"))
    own = [e for e in waiting if any(getattr(e, f"{h}_id") == user.pk for h in step.not_by)]
    return [e for e in waiting if e not in own], [(e, step.own_refusal) for e in own]


def evaluate_town(round, town, user, expected):
    """县级评查完成 for every entry of `town` the evaluator confirmed (`expected`: their ids, as the
    confirmation page listed them), all or none through perform_all; Refused when the list changed
    meanwhile (the evaluator confirms again)."""
    step = Entry.flow["evaluate"]
    if not can(user, step.action, round):
        raise Refused(step.refusal(round))
    with transaction.atomic():
        ready, _ = county_batch(round, town, user)
        if sorted(e.pk for e in ready) != sorted(expected) or not expected:
            raise Refused("待县级评查的村已有变化，本次未执行，请重新确认。")
        moved = perform_all(Entry.objects.filter(pk__in=expected), "evaluate", user, subject=round,
                            describe=f"{town.name}县级评查完成（批量）：{round}",
                            changes=lambda moved: {"villages": [None, "、".join(e.village.name for e in ready)]},
                            updates={"evaluated_by": user, "evaluated_at": timezone.now()})
        if moved != len(expected):
            raise Refused("待县级评查的村已有变化，本次未执行，请重新确认。")
    return moved


def recognise(entry, user):
    """认定: the result as the engine gives it now is recorded on the entry and locked; a village
    that passed gets its star."""
    check(entry, "recognise", user)
    with transaction.atomic():
        result = entry_result(entry)  # inside: an incident recognised meanwhile is counted or waits
        if result.status == UNDETERMINED:
            raise Refused("结果待定，不能认定：" + "；".join(result.undetermined[:3]))
        ok = perform(entry, "recognise", user,
                     changes={"total": [None, result.total], "result": [None, result.status], "band": [None, result.band]},
                     updates={"recognised_by": user, "recognised_at": timezone.now(), "total": result.total,
                              "result": result.status, "band": result.band})
        if ok and result.status == PASSED:
            _star(entry, user, StarRecord.Action.AWARDED, band=result.band, reason=f"认定得分 {figure(result.total)} 分")
    return ok


def unlock(entry, user, reason):
    """Only the same or a higher level than the one that recognised, with a reason; the entry goes
    back to the county's evaluation (points can be adjusted again, then evaluated and recognised),
    and the star given on the recognition is withdrawn (the history keeps both)."""
    check(entry, "unlock", user, reason)
    if entry.recognised_by_id and LEVEL_ORDER.index(user.division.level) > LEVEL_ORDER.index(entry.recognised_by.division.level):
        raise Refused("只能由认定的同级或上级解锁")
    reason = reason.strip()
    with transaction.atomic():
        ok = perform(entry, "unlock", user, comment=reason,
                     updates={"recognised_by": None, "recognised_at": None, "evaluated_by": None, "evaluated_at": None,
                              "total": None, "result": "", "band": ""})
        if ok and current_star(entry.village_id, entry.round.scheme.year):
            _star(entry, user, StarRecord.Action.WITHDRAWN, reason=f"解锁重新评查：{reason}")
    return ok


STEPS = {  # the entry's steps a person takes on its page or through the API, by their name in the table
    "submit": lambda entry, user, reason: submit(entry, user),
    "submit_late": lambda entry, user, reason: submit(entry, user, "submit_late"),
    "admit": lambda entry, user, reason: admit(entry, user),
    "admit_forward": lambda entry, user, reason: admit_forward(entry, user),
    "return": return_to_village,
    "review": lambda entry, user, reason: review(entry, user),
    "evaluate": lambda entry, user, reason: evaluate(entry, user),
    "recognise": lambda entry, user, reason: recognise(entry, user),
    "unlock": unlock,
}


def take(entry, name, user, reason=""):
    """Step `name` of the entry's table for `user`: True when done, False when somebody acted
    first; Refused when the rules forbid it."""
    return STEPS[name](entry, user, reason)


def publish(round, user, start, end):
    check(round, "publish", user)
    if end < start:
        raise Refused("公示结束日期不能早于开始日期")
    pending = round.entries.exclude(status=S.RECOGNISED).count()
    if pending:
        raise Refused(f"还有 {pending} 个村的结果未认定，不能公示")
    everyone = Division.objects.filter(pk__in=round.entries.values("village"))
    return perform(round, "publish", user, changes={"publication": [None, f"{start} 至 {end}"]},
                   updates={"publish_start": start, "publish_end": end, "published_by": user, "published_at": timezone.now(),
                            "snapshot": snapshot(round, everyone)})


def snapshot(round, villages):
    """The round's results as they are published, frozen into the round: every village's total,
    result, band and ranks, in the order of the results page."""
    towns = dict(villages.values_list("id", "parent__name"))
    return [
        {"village": r.village, "code": r.code, "name": r.name, "town": towns.get(r.village, ""), "total": r.total,
         "status": r.status, "band": r.band, "county_rank": r.county_rank, "town_rank": r.town_rank}
        for r in round_results(round, villages)
    ]


def published_rows(round, villages):
    """The frozen publication for the villages in scope (`villages`, a queryset), each with `unlocked`:
    whether its entry has been unlocked since (it is being evaluated again)."""
    shown = set(villages.values_list("id", flat=True))
    frozen = round.snapshot or snapshot(round, Division.objects.filter(pk__in=round.entries.values("village")))  # published before snapshots
    locked = set(round.entries.filter(village__in=villages, status=S.RECOGNISED).values_list("village", flat=True))
    return [row | {"unlocked": row["village"] not in locked} for row in frozen if row["village"] in shown]


def publication_changes(round, villages):
    """What happened to the published villages in scope after publication, oldest first: 摘星 and
    授星 (star records), unlocks and recognitions of their entries (the entry's transition events).
    [(moment, village name, what, detail)]; three queries."""
    from safestar.core.models import Event

    if round.published_at is None:
        return []
    names = dict(villages.values_list("id", "name"))
    changes = []
    stars = StarRecord.objects.filter(round=round, village__in=villages, at__gt=round.published_at)
    for star in stars.select_related("incident").order_by("at", "id"):
        detail = star.reason + (f"（案事件：{star.incident}）" if star.incident_id else "")
        changes.append((star.at, names.get(star.village_id, ""), star.get_action_display(), detail))
    entries = dict(round.entries.filter(village__in=villages).values_list("id", "village"))
    events = Event.objects.filter(object_type="evaluation.entry", object_id__in=list(entries), action__in=["unlock", "recognise"],
                                  at__gt=round.published_at).order_by("at", "id")
    labels = {"unlock": "解锁", "recognise": "重新认定"}
    for event in events:
        changes.append((event.at, names.get(entries.get(event.object_id), ""), labels[event.action], event.comment))
    # A step and the star it causes are written together: at the same moment, the step comes first.
    return sorted(changes, key=lambda c: (c[0], c[2] in ("摘星", "授星")))


# -- objections during the publication (公示异议) ----------------------------------------------------


def record_objection(round, village, user, *, raised_by, received_on, content):
    """Record an objection to `village`'s published result; refused (in Chinese) before publication,
    outside the publication period, for a village not in the round, or without who and what."""
    if not can(user, "evaluation.publish", round):
        raise Refused("只有县政法委评查员可以登记公示异议")
    if round.status != Round.Status.PUBLISHED:
        raise Refused("评查结果尚未公示，不能登记公示异议")
    if not round.entries.filter(village=village).exists():
        raise Refused(f"{village.name}不在本轮评查中")
    if not round.publish_start <= received_on <= round.publish_end:
        raise Refused(f"收到日期 {received_on:%Y-%m-%d} 不在公示期（{round.publish_start:%Y-%m-%d} 至 {round.publish_end:%Y-%m-%d}）内")
    if received_on > clock.today():
        raise Refused("收到日期不能晚于今天")
    raised_by, content = (raised_by or "").strip(), (content or "").strip()
    if not raised_by or not content:
        raise Refused("请填写异议人和异议内容")
    with transaction.atomic():
        objection = Objection.objects.create(round=round, village=village, raised_by=raised_by[:50], received_on=received_on,
                                             content=content[:2000], recorded_by=user)
        record("create", objection, actor=user, object_repr=f"登记公示异议：{round} {village.name}",
               changes={"raised_by": [None, objection.raised_by], "received_on": [None, str(received_on)], "content": [None, objection.content]})
    return objection


def decide_objection(objection, step, user, outcome):
    """异议成立 (uphold) or 不成立 (reject), with the handling written down: a step of the objection's table."""
    if step not in Objection.flow:
        raise Refused("未知的处理方式")
    return perform(objection, step, user, comment=outcome, updates={"outcome": (outcome or "").strip()[:500]})


# -- points ---------------------------------------------------------------------------------------


def line_level(entry, user, indicator):
    """What `user` may change on this indicator of this entry now: "village" (the explanation),
    "town" or "county" (points with a reason), or None."""
    if entry.status in VILLAGE_STAGE and can(user, "evaluation.self_assess"):
        return "village"
    if entry.status in TOWN_STAGE and can(user, "evaluation.review_town") and user.pk != entry.submitted_by_id:
        return "town"
    if entry.status in COUNTY_STAGE and can(user, "evaluation.score_county", indicator):
        return "county"
    return None


def save_line(entry, code, user, *, explanation=None, points=None, reason=""):
    indicator = next((i for i in entry.round.scheme.spec.indicators() if i.code == code), None)
    if indicator is None:
        raise Refused(f"指标 {code} 不在本方案中")
    level = line_level(entry, user, indicator)
    if level is None:
        raise Refused("该村评查材料当前不能由您修改（已提交、已锁定或不属于您的评分领域）")
    if level != "village":
        if points is not None and not 0 <= points <= indicator.points:
            raise Refused(f"得分应在 0 到 {figure(indicator.points)} 之间")
        if points is not None and not reason.strip():
            raise Refused("调整得分须写明理由")
    stage = {"village": VILLAGE_STAGE, "town": TOWN_STAGE, "county": COUNTY_STAGE}[level]
    with transaction.atomic():
        # The entry must still be at that stage: a conditional version bump guards the lines.
        if not guard(entry, stage):
            raise Refused("该村评查材料的状态已经变化，请刷新后再试")
        line = Line.objects.select_for_update().get(entry=entry, indicator=code)
        if level == "village":
            changes = {"explanation": [line.explanation, explanation or ""]}
            line.explanation = explanation or ""
        else:
            old = [getattr(line, f"{level}_points"), getattr(line, f"{level}_reason")]
            setattr(line, f"{level}_points", points)
            setattr(line, f"{level}_reason", reason if points is not None else "")
            setattr(line, f"{level}_by", user if points is not None else None)
            changes = {f"{level}_points": [old[0], points], f"{level}_reason": [old[1], reason]}
        line.save()
        who = {"village": "村自评说明", "town": "乡镇调整得分", "county": "县级调整得分"}[level]
        record("update", line, actor=user, object_repr=f"{who}：{entry} {code}", changes=changes)
    return line


# -- stars ----------------------------------------------------------------------------------------


def current_star(village_id, year):
    """The latest star record of the village in the year, if it is an award."""
    last = StarRecord.objects.filter(village_id=village_id, year=year).order_by("-id").first()
    return last if last is not None and last.action == StarRecord.Action.AWARDED else None


def _star(entry, user, action, band="", reason="", incident=None):
    scheme = entry.round.scheme
    if action == StarRecord.Action.WITHDRAWN:
        band = (current_star(entry.village_id, scheme.year) or StarRecord(band="")).band
    star = StarRecord.objects.create(village_id=entry.village_id, year=scheme.year, round=entry.round, star=scheme.star,
                                     band=band, action=action, on=clock.today(), incident=incident, reason=reason[:200], by=user)
    record("create", star, actor=user, object_repr=str(star), changes={"action": [None, star.get_action_display()], "reason": [None, reason]})
    return star
