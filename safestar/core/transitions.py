"""The one transition mechanism: every status change of a workflow object goes through here.

Each workflow model declares one table, a `Flow`: its transitions, each with the states it may
start from, the state it goes to, the named action (safestar/org/roles.py) a person needs, whether
a reason is required, the label of its button and the text that confirms it. Pages draw their
buttons from the table (`Flow.allowed`), the API its steps, and the app's services take them:

    perform(application, "confirm", user, comment="同意")

is one transaction: a conditional update (only from one of the source states, with the version
bumped when the model has one: of two people acting on the same stale page only the first
succeeds), an `Event` row (who, when, from, to, comment), an audit record; and nobody approves what
they submitted themselves (`not_by`), checked on the row as it is now, so a page opened before the
submission does not get round it. What the rules forbid raises `Refused` (a Chinese message for
people); a step somebody else took first returns False, and nothing is written.

Not django-fsm-2: its transitions are decorated model methods with a permission hook, and its
ConcurrentTransitionMixin guards a save() of the whole row; the named actions, the self-approval
check on the row, the event row, the audit record and the batch step would all still be ours
around it, so a plain table read by one function is the simpler of the two.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from safestar.audit.log import record
from .models import Event


class Refused(ValidationError):
    """What the rules do not allow, for every workflow and save: the message says why, in Chinese."""

    def __init__(self, message):
        super().__init__(message)

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class Transition:
    name: str  # the step's name in URLs, the API and the event rows ("confirm")
    source: tuple  # the states it may start from
    target: object  # the state it leads to
    action: str  # the named action a person needs (org/roles.py ACTIONS; asked as user.can(action, obj))
    label: str  # its button
    title: str = ""  # the act, in the audit log and in refusals (default: the label)
    reason: str = ""  # a comment is required: the refusal without one
    reason_label: str = "意见"
    reason_max: int = 500
    comment_as: str = "comment"  # the audit log's name for the comment
    not_by: tuple = ()  # fields naming who submitted or handled the object: the actor must be someone else
    own: str = ""  # the refusal of a self-approval (default: 不能{title}本人提交的事项，须由其他人员办理。)
    who: object = ""  # the refusal when the actor lacks the action: a text, or a function of the object
    confirm: str = ""  # asked before the button does it
    batch: bool = False  # taken for many objects at once (perform_all), never offered on one object's page

    def __post_init__(self):
        if not self.title:
            object.__setattr__(self, "title", self.label)

    def refusal(self, obj):
        if callable(self.who):
            return self.who(obj)
        return self.who or f"您不能{self.title}。"

    @property
    def own_refusal(self):
        return self.own or f"不能{self.title}本人提交的事项，须由其他人员办理。"


class Flow:
    """The transition table of one model: `field` holds its state, `division` names the foreign key
    to the division its events belong to (who may read its history)."""

    def __init__(self, model, transitions, *, field="status", division="village", labels=None):
        self.model, self.field, self.division, self._labels = model, field, division, labels
        self.transitions = {t.name: t for t in transitions}
        model.flow = self

    def __getitem__(self, name):
        return self.transitions[name]

    def __contains__(self, name):
        return name in self.transitions

    def __iter__(self):
        return iter(self.transitions.values())

    def labels(self):
        """{state: its label}, every state of the model."""
        return self._labels or dict(self.model._meta.get_field(self.field).choices)

    def label(self, state):
        return self.labels().get(state, state)

    def allowed(self, obj, user):
        """The steps `user` may take on `obj` in its state now, in the table's order: the page's buttons."""
        state = getattr(obj, self.field)
        return [t for t in self if not t.batch and state in t.source and user.can(t.action, obj)]

    def may(self, user, name, obj=None):
        """Whether `user` holds the action of step `name` (on `obj`), whatever its state."""
        return user.can(self[name].action, obj)


def check(obj, name, actor, comment=""):
    """The rules of step `name` for `actor` on `obj` as read (the action, the reason, no
    self-approval): Refused when one fails. `perform` checks again; a service with rules of its own
    calls this first, so the refusals come in the same order on every path."""
    step = type(obj).flow[name]
    if not actor.can(step.action, obj):
        raise Refused(step.refusal(obj))
    comment = (comment or "").strip()
    if step.reason and not comment:
        raise Refused(step.reason)
    if len(comment) > step.reason_max:
        raise Refused(f"{step.reason_label}不能超过 {step.reason_max} 字")
    if any(getattr(obj, f"{handler}_id") == actor.pk for handler in step.not_by):
        raise Refused(step.own_refusal)
    return step


def _bump(model):
    return {"version": F("version") + 1} if any(f.name == "version" for f in model._meta.concrete_fields) else {}


def perform(obj, name, actor, *, comment="", updates=None, changes=None, where=None) -> bool:
    """Take step `name` on `obj`: True when done (`obj` is refreshed), False when it was no longer in
    a source state (somebody acted first); Refused when the rules forbid it. `updates`: fields set
    with the state; `changes`: audited besides the state and the comment; `where`: conditions the
    row must meet besides its state (e.g. not deleted)."""
    step = check(obj, name, actor, comment)
    comment = (comment or "").strip()
    model, flow = type(obj), type(obj).flow
    with transaction.atomic():
        rows = model.objects.filter(pk=obj.pk, **{f"{flow.field}__in": step.source}, **(where or {}))
        row = rows.select_for_update(of=("self",)).values_list(flow.field, *(f"{f}_id" for f in step.not_by)).first()
        if row is None:
            return False
        current, handlers = row[0], row[1:]
        if actor.pk in handlers:  # the page was stale: who submitted is checked on the row itself too
            raise Refused(step.own_refusal)
        model.objects.filter(pk=obj.pk, **{flow.field: current}).update(**{flow.field: step.target}, **_bump(model), **(updates or {}))
        Event.objects.create(
            object_type=model._meta.label_lower, object_id=obj.pk, division_id=getattr(obj, f"{flow.division}_id"), action=name,
            from_status=_code(current), to_status=_code(step.target), comment=comment[:500], actor=actor,
        )
        audit = {flow.field: [flow.label(current), flow.label(step.target)]}
        if comment:
            audit[step.comment_as] = [None, comment[:500]]
        record("update", obj, actor=actor, object_repr=f"{step.title}：{obj}", changes=audit | (changes or {}))
    obj.refresh_from_db()
    return True


def perform_all(queryset, name, actor, *, subject, describe, changes=None, updates=None, comment="") -> int:
    """Take step `name` for every object of `queryset` in a source state, all or none (a town's
    villages forwarded together): an event for each (with `comment`, e.g. a 逾期 mark), one audit
    record `describe` on `subject` with `changes(moved)`. Returns how many moved; 0 when there were
    none or another step moved one of them meanwhile."""
    model, flow = queryset.model, queryset.model.flow
    step = flow[name]
    if not actor.can(step.action, subject):
        raise Refused(step.refusal(subject))
    with transaction.atomic():
        rows = list(queryset.filter(**{f"{flow.field}__in": step.source}).select_for_update(of=("self",))
                    .values_list("pk", flow.field, f"{flow.division}_id"))
        if not rows:
            return 0
        moved = model.objects.filter(pk__in=[pk for pk, _, _ in rows], **{f"{flow.field}__in": step.source}).update(
            **{flow.field: step.target}, **_bump(model), **(updates or {}))
        if moved != len(rows):
            transaction.set_rollback(True)
            return 0
        Event.objects.bulk_create([
            Event(object_type=model._meta.label_lower, object_id=pk, division_id=division, action=name,
                  from_status=_code(state), to_status=_code(step.target), comment=comment[:500], actor=actor)
            for pk, state, division in rows
        ])
        record("update", subject, actor=actor, object_repr=describe, changes=changes(moved) if changes else {})
    return moved


def guard(obj, states) -> bool:
    """A conditional version bump: True while `obj` is still in one of `states`. Writes that depend
    on the state without changing it (points given at a stage) call it inside their transaction."""
    model, flow = type(obj), type(obj).flow
    rows, bump = model.objects.filter(pk=obj.pk, **{f"{flow.field}__in": states}), _bump(model)
    if bump:
        return bool(rows.update(**bump))
    return rows.select_for_update(of=("self",)).values_list("pk").first() is not None  # held until the transaction ends


def _code(state):
    return state if isinstance(state, str) else str(state).lower()


def history(obj, user):
    """The events of `obj` the user may read, oldest first, each with the labels of its states."""
    flow = type(obj).flow
    labels = {_code(state): label for state, label in flow.labels().items()}
    events = list(
        Event.objects.visible_to(user)
        .filter(object_type=obj._meta.label_lower, object_id=obj.pk)
        .select_related("actor")
    )
    for event in events:
        event.from_label = labels.get(event.from_status, event.from_status)
        event.to_label = labels.get(event.to_status, event.to_status)
    return events
