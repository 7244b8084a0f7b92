"""Early warning (预测预警): the leading signs that put a village's star at risk before anything is
recognised, each explained and naming its source records.

What counts as a sign and its thresholds are data: `schemes/signs/warning-signs.yaml`, beside the
schemes and checked by the schemes' validator (file, line, path, message in Chinese). What a sign's
*kind* looks for is code, below: one set-based query per kind for all the villages (kinds reading the same records share it), so the warning
list of a town costs the same for 5 villages as for 50. Dates are as of safestar.clock.today().
"""

import datetime
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse

from safestar.clock import today
from safestar.core import compiled
from safestar.core.masking import mask_name
from safestar.core.scope import can_read
from safestar.disputes.models import Dispute, Petition, PetitionStatus, disputes_overdue_on
from safestar.incidents.models import Incident
from safestar.keypersons.models import KeyPerson, Status
from safestar.keypersons.overdue import due_of, due_on, is_overdue, overdue_q
from safestar.org.models import Division
from safestar.safety.models import Hazard
from safestar.schemes.kinds import kind_of
from safestar.schemes.validate import Checker, SchemeError, _load

SIGNS_FILE = Path(settings.BASE_DIR).parent / "schemes" / "signs" / "warning-signs.yaml"
LEVELS = ("高", "中", "低")


@dataclass(frozen=True)
class Sign:
    code: str
    kind: str
    title: str
    level: str
    params: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Source:
    label: str
    url: str


@dataclass
class Warning:
    sign: Sign
    explanation: str
    sources: list


# -- the kinds: what a sign looks for --------------------------------------------------------------
# Each kind: its parameters {name: (label, lowest, highest, default)}, the model it reads (a user who
# cannot read that model is not shown the sign), and find(sign, ctx) → {village id: (explanation, [Source])}.

KINDS = {}


@dataclass
class Kind:
    name: str
    label: str
    params: dict
    model: type
    find: callable


def kind(name, label, model, **params):
    def register(function):
        KINDS[name] = Kind(name, label, params, model, function)
        return function

    return register


@dataclass
class Context:
    user: object
    villages: object  # Division queryset (scoped), or one Division (its page)
    year: int
    day: datetime.date
    results: dict  # village id → (Scheme, VillageResult) from the dashboard's evaluation
    signs: tuple = ()  # every sign of this call (kinds on the same records read them once for all)
    memo: dict = field(default_factory=dict)


def _read(ctx, build, *args):
    """The rows of build(user, divisions, *args), `divisions` the condition on the records' village. On
    one village's page the query's SQL is made once per process (core/compiled.py): `build` must then
    be a function of these arguments only (the signs' settings that shape it are its own fields)."""
    if isinstance(ctx.villages, Division):
        return compiled.rows(_OneVillage(build), ctx.villages.pk, *args, user=ctx.user)
    return list(build(ctx.user, Q(division__in=ctx.villages), *args))


@dataclass(frozen=True)
class _OneVillage:
    build: object

    def __call__(self, user, village, *args):
        return self.build(user, Q(division=village), *args)


def _detail(slug, pk):
    return reverse("ledger-detail", args=[slug, pk])


def _at_least(sign, found, explain):
    """{village: (explanation, sources)} of the villages with at least `min` sources."""
    least = sign.params.get("min", 1)
    return {v: (explain(len(s)), s) for v, s in found.items() if len(s) >= least}


@kind("unrecognised_veto_incident", "未认定的否决类案事件", Incident)
def _unrecognised(sign, ctx):
    """The evaluation's own pending incidents (recorded in the year, not recognised: the engine's
    VillageResult.pending, as on the scorecard and the recognition queue) that a veto of the village's
    scheme would match once recognised. No query."""
    severity = dict(Incident._meta.get_field("severity").choices)
    found = {}
    for village, (_, result) in ctx.results.items():
        for pending in result.pending:
            if pending.vetoes:
                i = pending.incident
                found.setdefault(village, []).append(
                    Source(f"{i.date:%Y-%m-%d} {i.kind_name}：{i.title}（{severity.get(i.severity, i.severity)}）", _detail("incidents", i.id)))
    return {v: (f"{len(s)} 件案事件属于本村方案的一票否决事项，尚未认定；认定后本年度创星即被否决", s) for v, s in found.items()}


@kind("disputes_overdue", "超期未化解的矛盾纠纷", Dispute, min=("至少几件", 1, 1000, 1))
def _disputes_overdue(sign, ctx):
    rows = sorted(((deadline, pk, village, received, parties) for pk, village, received, deadline, parties, overdue in _disputes(sign, ctx)
                   if overdue), key=lambda row: row[:2])
    found = {}
    for deadline, pk, village, received, parties in rows:
        names = "、".join(mask_name(p) for p in _parties(parties))
        found.setdefault(village, []).append(Source(f"{received:%Y-%m-%d} 受理（当事人 {names}），化解期限 {deadline:%Y-%m-%d}", _detail("disputes", pk)))
    return _at_least(sign, found, lambda n: f"{n} 件纠纷已过化解期限仍未化解或移交（阈值：{sign.params.get('min', 1)} 件）")


def _disputes(sign, ctx):
    """The disputes that the dispute signs of this call read, in ONE query for all of them: those
    overdue on the day (disputes_overdue) and those received within the longest window of the
    repeated_disputes signs; rows (id, village, received_on, deadline, parties, overdue on the day)."""
    if "disputes" not in ctx.memo:
        kinds = {s for s in ctx.signs if s.kind in ("disputes_overdue", "repeated_disputes")} | {sign}
        windows = [s.params.get("days", 365) for s in kinds if s.kind == "repeated_disputes"]
        since = ctx.day - datetime.timedelta(days=max(windows, default=0))
        rows = _read(ctx, _DisputeRows(any(s.kind == "disputes_overdue" for s in kinds), bool(windows)), ctx.day, since)
        ctx.memo["disputes"] = [(*row[:5], bool(row[5])) for row in rows]
    return ctx.memo["disputes"]


@dataclass(frozen=True)
class _DisputeRows:
    """The disputes of _disputes(): the overdue ones on `day` (when `overdue`), those received after
    `since` (when `window`)."""

    overdue: bool
    window: bool

    def __call__(self, user, divisions, day, since):
        overdue = disputes_overdue_on(day)
        wanted = Q(pk__in=[])
        if self.overdue:
            wanted |= overdue
        if self.window:
            wanted |= Q(received_on__gt=since, received_on__lte=day)
        return (Dispute.objects.visible_to(user).alive().filter(divisions).filter(wanted)
                .annotate(is_overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
                .values_list("id", "division", "received_on", "deadline", "parties", "is_overdue"))


def _parties(text):
    return sorted({p for p in re.split(r"[、，,；;\s]+|与|和|及", text or "") if p})


@kind("repeated_disputes", "同一当事人的反复纠纷", Dispute, min=("同一当事人至少几起", 2, 100, 2), days=("统计最近多少天", 1, 3650, 365))
def _repeated(sign, ctx):
    since = ctx.day - datetime.timedelta(days=sign.params.get("days", 365))
    rows = sorted((received, pk, village, parties) for pk, village, received, _, parties, _ in _disputes(sign, ctx)
                  if since < received <= ctx.day)
    groups = {}
    for received, pk, village, parties in rows:
        for person in _parties(parties):
            groups.setdefault((village, person), []).append((pk, received))
    least = sign.params.get("min", 2)
    found = {}
    for (village, person), disputes in sorted(groups.items()):
        if len(disputes) >= least:
            found.setdefault(village, []).extend(
                Source(f"当事人 {mask_name(person)}：{received:%Y-%m-%d} 受理的纠纷", _detail("disputes", pk)) for pk, received in disputes)
    return {v: (f"最近 {sign.params.get('days', 365)} 天内同一当事人卷入 {least} 起及以上纠纷，须防止矛盾激化、民转刑", s) for v, s in found.items()}


def _key_persons(sign, ctx):
    """The key persons that the key-person signs of this call read, in ONE query for all of them:
    those whose visit is overdue on the day (keypersons_overdue) and those lost, missed or managed
    at the lowest risk grade of the keypersons_unstable signs or above; [(person, overdue on the day)]
    by id, each person annotated as keypersons.overdue.due_on() (for due_of)."""
    if "keypersons" not in ctx.memo:
        kinds = {s for s in ctx.signs if s.kind in ("keypersons_overdue", "keypersons_unstable")} | {sign}
        grades = [s.params.get("risk_grade", 3) for s in kinds if s.kind == "keypersons_unstable"]
        rows = _read(ctx, _KeyPersonRows(any(s.kind == "keypersons_overdue" for s in kinds), min(grades, default=None)), ctx.day)
        ctx.memo["keypersons"] = [(person, is_overdue(person, ctx.day)) for person in rows]
    return ctx.memo["keypersons"]


@dataclass(frozen=True)
class _KeyPersonRows:
    """The key persons of _key_persons(): overdue on `day` (when `overdue`), lost, missed or managed at
    risk grade `grade` or above (when a grade is given)."""

    overdue: bool
    grade: int | None

    def __call__(self, user, divisions, day):
        wanted = Q(pk__in=[])
        if self.overdue:
            wanted |= overdue_q(day)
        if self.grade is not None:
            wanted |= Q(status__in=[Status.LOST, Status.MISSED]) | Q(status=Status.MANAGED, risk_grade__gte=self.grade)
        return due_on(KeyPerson.objects.visible_to(user).filter(divisions), day).filter(wanted).order_by("id")


def _person(pk):
    return reverse("key-person", args=[pk])


@kind("keypersons_overdue", "走访逾期的重点人员", KeyPerson, min=("至少几人", 1, 1000, 1))
def _visits_overdue(sign, ctx):
    rows = [person for person, overdue in _key_persons(sign, ctx) if overdue]
    found = {}
    for person in rows:
        found.setdefault(person.division_id, []).append(Source(f"{person}：应于 {due_of(person):%Y-%m-%d} 前走访", _person(person.pk)))
    return _at_least(sign, found, lambda n: f"{n} 名重点人员走访帮教已逾期（阈值：{sign.params.get('min', 1)} 人）")


@kind("keypersons_unstable", "脱管、漏管或高风险的重点人员", KeyPerson, min=("至少几人", 1, 1000, 1), risk_grade=("危险性评估等级达到", 1, 5, 3))
def _unstable(sign, ctx):
    grade = sign.params.get("risk_grade", 3)
    rows = [person for person, _ in _key_persons(sign, ctx)
            if person.status in (Status.LOST, Status.MISSED) or (person.status == Status.MANAGED and person.risk_grade is not None and person.risk_grade >= grade)]
    found = {}
    for person in rows:
        why = person.get_status_display() if person.status != Status.MANAGED else f"危险性评估 {person.risk_grade} 级"
        found.setdefault(person.division_id, []).append(Source(f"{person}：{why}", _person(person.pk)))
    return _at_least(sign, found, lambda n: f"{n} 名重点人员脱管、漏管或危险性评估达到 {grade} 级")


@kind("hazards_overdue", "超期未整改的安全隐患", Hazard, min=("至少几处", 1, 1000, 1))
def _hazards(sign, ctx):
    rows = _read(ctx, _hazard_rows, ctx.day)
    found = {}
    for hazard in rows:
        found.setdefault(hazard.division_id, []).append(Source(f"{hazard}，整改期限 {hazard.asof_deadline:%Y-%m-%d}", _detail("hazards", hazard.pk)))
    return _at_least(sign, found, lambda n: f"{n} 处安全隐患已过整改期限仍未整改（阈值：{sign.params.get('min', 1)} 处）")


def _hazard_rows(user, divisions, day):
    return Hazard.objects.visible_to(user).alive().filter(divisions).overdue_on(day).order_by("deadline", "id")


@kind("petition_backlog", "未化解的信访积案", Petition, min=("至少几件", 1, 1000, 1))
def _backlog(sign, ctx):
    rows = _read(ctx, _backlog_rows, ctx.day)
    found = {}
    for petition in rows:
        found.setdefault(petition.division_id, []).append(Source(f"{petition}，{petition.get_status_display()}", _detail("petitions", petition.pk)))
    return _at_least(sign, found, lambda n: f"{n} 件信访积案尚未化解（阈值：{sign.params.get('min', 1)} 件）")


def _backlog_rows(user, divisions, day):
    return (Petition.objects.visible_to(user).alive().filter(divisions, is_backlog=True, received_on__lte=day)
            .exclude(status=PetitionStatus.SETTLED).order_by("received_on", "id"))


@kind("indicators_lost", "本年度已无法得满分的指标", Incident)
def _lost(sign, ctx):
    """Points lost to a recognised incident of the year (zero-incident indicators) cannot come back this
    year: the incident has happened. Only the villages' own scheme is read (no query)."""
    found = {}
    zero_codes = {}
    for village, (scheme, result) in ctx.results.items():
        if scheme.pk not in zero_codes:
            zero_codes[scheme.pk] = {i.code for i in scheme.spec.indicators() if kind_of(i.rule).type == "zero_incidents"}
        if result.scorers:  # computed now: only these indicators are scored (not the whole scorecard), explained only when lost
            zero = [s for s in result.scorers if s.indicator.code in zero_codes[scheme.pk]]
            lost = [s.result(*s.score(village)) for s in zero if (s.score(village, False)[0] or 0) < s.points]
        else:  # read back from the stored results (schemes/cache.py): their indicators
            lost = [i for i in result.indicators if i.code in zero_codes[scheme.pk] and (i.awarded or 0) < i.points]
        lost = [i for i in lost if i.awarded is not None]
        if lost:
            url = reverse("scorecard", args=[scheme.pk, result.code])
            found[village] = (f"{len(lost)} 项指标因本年度已发生经认定的案事件而失分，年内无法挽回",
                              [Source(f"{i.code} {i.title}：失 {i.lost:g} 分（{i.reason}）", url) for i in lost])
    return found


# -- the data: reading and checking the signs -----------------------------------------------------

def parse(text, filename="<预警信号>"):
    """[Sign] from the YAML text, or SchemeError listing every problem (file:line: path：message)."""
    try:
        data, lines = _load(text)
    except Exception as exc:  # yaml.YAMLError
        raise SchemeError([f"{filename}: YAML 格式错误：{getattr(exc, 'problem', exc)}"])
    c = Checker(filename, lines, None)
    if not isinstance(data, dict):
        raise SchemeError([f"{filename}:1: （文件）：应为映射（键: 值），包含 signs 列表"])
    items = c.get(data, "signs", (), "list", default=[])
    signs, codes = [], set()
    for index, item in enumerate(items):
        path = ("signs", index)
        if not isinstance(item, dict):
            c.error(path, "每条信号应为映射（键: 值）")
            continue
        code = c.get(item, "code", path, "str", default="")
        if code and code in codes:
            c.error(path + ("code",), f"编号“{code}”重复")
        codes.add(code)
        name = c.get(item, "kind", path, "str", default="")
        title = c.get(item, "title", path, "str", default="")
        level = c.get(item, "level", path, "str", default="")
        if level and level not in LEVELS:
            c.error(path + ("level",), f"等级应为{'、'.join(LEVELS)}之一，实际为“{level}”")
        found = KINDS.get(name)
        if name and found is None:
            c.error(path + ("kind",), f"未知的信号种类“{name}”，可用：{'、'.join(KINDS)}")
            continue
        params = {}
        for key in item:
            if key in ("code", "kind", "title", "level"):
                continue
            if found is None or key not in found.params:
                allowed = "、".join(found.params) if found and found.params else "无"
                c.error(path + (key,), f"种类“{name}”没有参数“{key}”（可用参数：{allowed}）")
                continue
            label, low, high, _ = found.params[key]
            value = c.get(item, key, path, "int")
            if value is not None and not low <= value <= high:
                c.error(path + (key,), f"{label}应在 {low} 到 {high} 之间，实际为 {value}")
            params[key] = value
        if found is not None:
            params = {key: params.get(key) if params.get(key) is not None else spec[3] for key, spec in found.params.items()}
        signs.append(Sign(code, name, title, level, params))
    if not items and "signs" in (data or {}):
        c.error(("signs",), "至少要有一条信号")
    if c.errors:
        raise SchemeError(c.errors)
    return signs


@functools.cache
def declared():
    """The shipped signs (schemes/signs/warning-signs.yaml), checked once per process."""
    return tuple(parse(SIGNS_FILE.read_text(encoding="utf-8"), f"schemes/signs/{SIGNS_FILE.name}"))


def warnings(user, villages, year, results, signs=None, day=None):
    """{village id: [Warning]} of the villages (a Division queryset, or one Division: its page) with at
    least one sign, highest level first. At most one query per sign the user may read (signs on data
    the user cannot read are left out); the dispute signs share one query, and so do the key-person
    signs."""
    signs = tuple(signs if signs is not None else declared())
    ctx = Context(user, villages, year, day or today(), results, signs)
    found = {}
    for sign in signs:
        kind_ = KINDS[sign.kind]
        if not can_read(kind_.model, user):
            continue
        for village, (explanation, sources) in kind_.find(sign, ctx).items():
            found.setdefault(village, []).append(Warning(sign, explanation, sources))
    for items in found.values():
        items.sort(key=lambda w: (LEVELS.index(w.sign.level), w.sign.code))
    return found
