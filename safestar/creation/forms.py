from django import forms

from safestar.clock import today
from safestar.org.models import Department, Division, User
from safestar.org.roles import Level, holders
from safestar.schemes.loading import applicable
from safestar.core.widgets import DateInput

from .models import Application, FindingKind, Inspection, Leadership, Progress, RectificationPlan, Severity, Task


class ApplyForm(forms.Form):
    village = forms.ModelChoiceField(label="村", queryset=Division.objects.none())
    scheme = forms.TypedChoiceField(label="创建方案", coerce=int)
    note = forms.CharField(label="申请说明", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Division.objects.visible_to(user).filter(level=Level.VILLAGE).order_by("code")
        if user.division.level == Level.VILLAGE:
            self.fields["village"].initial = user.division
        schemes = applicable(user.division)
        self.schemes = {s.pk: s for s in schemes}
        self.fields["scheme"].choices = [(s.pk, f"{s.year}年 {s.star}（{s.issuer.name}）") for s in schemes]

    def clean_scheme(self):
        scheme = self.schemes.get(self.cleaned_data["scheme"])
        if scheme is None:
            raise forms.ValidationError("请选择适用于本村的创建方案")
        return scheme

    def clean(self):
        data = super().clean()
        village, scheme = data.get("village"), data.get("scheme")
        if village and scheme and scheme.issuer.code not in village.path:
            self.add_error("scheme", f"该方案不适用于{village.name}")
        return data


DECISIONS = ("confirm", "reject")  # the steps of the application's transition table decided on its page


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="确认结果", choices=[(name, Application.flow[name].label) for name in DECISIONS])
    reason = forms.CharField(label="意见", required=False, max_length=200)


def village_people(village, current=None):
    """The choices of 责任人: the active village cadres and grid workers of the object's village (which
    the caller fetched through the scope), and whoever is responsible now. Not User.visible_to(user):
    that scope is the accounts a user may administer, and leaves out the user and their colleagues."""
    from django.db.models import Q

    people = Q(division=village, is_active=True, role__in=holders("creation.be_responsible"))
    if current:
        people |= Q(pk=current)
    return User.objects.filter(people).order_by("username")


class TaskForm(forms.ModelForm):
    title = forms.CharField(label="任务", max_length=200)
    responsible = forms.ModelChoiceField(label="责任人", queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label="完成期限", widget=DateInput())

    class Meta:
        model = Task
        fields = ["title", "responsible", "due_on"]

    def __init__(self, user, village, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = village_people(village, current)

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due.year < 2000 or due.year > 2100:
            raise forms.ValidationError("请输入正确的日期")
        return due


class TaskEditForm(TaskForm):
    """The task's fields and one ledger record of the village to link as evidence: the ledger is
    chosen first, then the record from a list of that ledger's records of the village (changing the
    ledger reloads the list: htmx fetches this page again with ?link_ledger= and takes the list)."""

    link_ledger = forms.ChoiceField(label="关联台账", required=False)
    link_id = forms.TypedChoiceField(label="台账记录", required=False, coerce=int, empty_value=None,
                                     error_messages={"invalid_choice": "所选记录不是本村该台账中的记录，请从列表中选择"})
    RECORDS_OFFERED = 200  # the latest records of the ledger; older ones are rarely evidence of a task

    def __init__(self, user, village, *args, **kwargs):
        super().__init__(user, village, *args, **kwargs)
        from safestar.core.ledger import LEDGERS
        from safestar.core.scope import can_read

        self.user, self.village = user, village
        self.ledgers = {slug: ledger for slug, ledger in LEDGERS.items() if can_read(ledger.model, user)}
        self.fields["link_ledger"].choices = [("", "（不关联）")] + [(slug, ledger.title) for slug, ledger in self.ledgers.items()]
        self.fields["link_ledger"].widget.attrs.update({"hx-trigger": "change", "hx-target": "#id_link_id", "hx-select": "#id_link_id",
                                                       "hx-swap": "outerHTML"})
        slug = (self.data.get("link_ledger") if self.is_bound else self.initial.get("link_ledger")) or ""
        choices = [("", "（先选择台账）" if slug not in self.ledgers else "（请选择记录）")]
        if slug in self.ledgers:
            ledger = self.ledgers[slug]
            records = (ledger.model.objects.visible_to(user).alive().filter(division=village)
                       .order_by(*ledger.ordering())[:self.RECORDS_OFFERED])
            date = ledger.date_field
            choices += [(r.pk, f"{getattr(r, date):%Y-%m-%d} {r}" if date and getattr(r, date) else str(r)) for r in records]
        self.fields["link_id"].choices = choices

    def clean(self):
        data = super().clean()
        slug, pk = data.get("link_ledger"), data.get("link_id")
        data["link"] = None
        if slug and not pk:
            self.add_error("link_id", "请选择要关联的台账记录")
        elif pk and not slug:
            self.add_error("link_ledger", "请选择台账")
        elif slug and pk:
            ledger = self.ledgers[slug]
            obj = ledger.model.objects.visible_to(self.user).alive().filter(pk=pk, division=self.village).first()
            if obj is None:
                self.add_error("link_id", f"{self.village.name}的{ledger.title}中没有这条记录")
            else:
                data["link"] = {"ledger": slug, "id": obj.pk, "label": f"{ledger.title}：{obj}"[:100]}
        return data


class CommentForm(forms.Form):
    comment = forms.CharField(label="意见", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class InspectionForm(forms.ModelForm):
    title = forms.CharField(label="督导主题", max_length=100)
    planned_on = forms.DateField(label="计划日期", widget=DateInput())
    departments = forms.ModelMultipleChoiceField(label="参加部门", queryset=Department.objects.none(), required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    villages = forms.ModelMultipleChoiceField(label="督导村", queryset=Division.objects.none(), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Inspection
        fields = ["title", "planned_on", "departments", "villages"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.visible_to(user).order_by("division__code", "name")
        self.fields["villages"].queryset = Division.objects.visible_to(user).filter(level=Level.VILLAGE, parent=user.division).order_by("code")


class HoldForm(forms.Form):
    held_on = forms.DateField(label="开展日期", widget=DateInput())
    note = forms.CharField(label="总体情况", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_held_on(self):
        held = self.cleaned_data["held_on"]
        if held > today():
            raise forms.ValidationError("开展日期不能晚于今天")
        return held


class FindingForm(forms.Form):
    village = forms.ModelChoiceField(label="村", queryset=Division.objects.none())
    indicator = forms.ChoiceField(label="对应指标", required=False)
    description = forms.CharField(label="发现的问题", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label="严重程度", choices=Severity.choices, initial=Severity.GENERAL)
    kind = forms.ChoiceField(label="问题类型", choices=FindingKind.choices, initial=FindingKind.INDIVIDUAL,
                             help_text="个性问题：为该村制定整改方案；共性问题：由相关部门开展专项整治")
    deadline = forms.DateField(label="整改期限", required=False, widget=DateInput(),
                               help_text="个性问题的整改期限，不填为发现之日起30天")

    def __init__(self, inspection, indicators, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.fields["village"].queryset = inspection.villages.order_by("code")
        self.fields["indicator"].choices = [("", "（不对应具体指标）")] + [(i.code, f"{i.code} {i.title}") for i in indicators]

    def clean(self):
        data = super().clean()
        deadline = data.get("deadline")
        start = self.inspection.held_on or today()
        if deadline and deadline < start:
            self.add_error("deadline", "整改期限不能早于督导日期")
        return data


class PlanForm(forms.ModelForm):
    measures = forms.CharField(label="整改措施", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    responsible = forms.ModelChoiceField(label="责任人", queryset=User.objects.none(), required=False)

    class Meta:
        model = RectificationPlan
        fields = ["measures", "responsible"]

    def __init__(self, user, village, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = village_people(village, current)


class ProgressForm(forms.ModelForm):
    text = forms.CharField(label="进展情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Progress
        fields = ["text"]


class CampaignForm(forms.Form):
    title = forms.CharField(label="专项整治名称", max_length=100)
    department = forms.ModelChoiceField(label="牵头部门", queryset=Department.objects.none())
    findings = forms.ModelMultipleChoiceField(label="共性问题", queryset=None, widget=forms.CheckboxSelectMultiple, required=False)
    villages = forms.ModelMultipleChoiceField(label="涉及村", queryset=Division.objects.none(), widget=forms.CheckboxSelectMultiple)
    deadline = forms.DateField(label="完成期限", widget=DateInput())
    description = forms.CharField(label="整治内容", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Finding

        self.fields["department"].queryset = Department.objects.visible_to(user).order_by("division__code", "name")
        self.fields["villages"].queryset = Division.objects.visible_to(user).filter(level=Level.VILLAGE, parent=user.division).order_by("code")
        self.fields["findings"].queryset = (
            Finding.objects.visible_to(user).filter(kind=FindingKind.COMMON, campaign__isnull=True).select_related("village")
        )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < today():
            raise forms.ValidationError("完成期限不能早于今天")
        return deadline

    def clean(self):
        data = super().clean()
        villages = data.get("villages") or []
        for finding in data.get("findings") or []:
            if finding.village not in villages:
                self.add_error("villages", f"所选问题涉及{finding.village.name}，请把它列入涉及村")
                break
        return data


class LeadershipForm(forms.ModelForm):
    """A town leader assigned to one of the town's villages (领导包村)."""

    village = forms.ModelChoiceField(label="村", queryset=Division.objects.none())
    leader = forms.ModelChoiceField(label="包村领导", queryset=User.objects.none())
    position = forms.CharField(label="职务", max_length=50, help_text="如：镇党委副书记、副镇长")
    since = forms.DateField(label="包村开始日期", widget=DateInput())

    class Meta:
        model = Leadership
        fields = ["village", "leader", "position", "since"]

    def __init__(self, user, town, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Division.objects.writable_by(user).filter(level=Level.VILLAGE, parent=town).order_by("code")
        self.fields["leader"].queryset = town_leaders(town)
        self.fields["leader"].label_from_instance = lambda u: f"{u}（{u.get_role_display()}）"

    def clean_since(self):
        since = self.cleaned_data["since"]
        if not 2000 <= since.year <= 2100:
            raise forms.ValidationError("请输入正确的日期")
        return since

    def clean(self):
        data = super().clean()
        village, leader = data.get("village"), data.get("leader")
        if village and leader and Leadership.objects.filter(village=village, leader=leader).exists():
            self.add_error("leader", f"{leader}已包{village.name}，不能重复安排")
        return data


def town_leaders(town):
    """Who may lead a village of the town: the town's active accounts that work on its business
    (镇平安办, 工作专班, the town's departments), not its administrators."""
    from safestar.org.roles import SPECS

    roles = [role for role, spec in SPECS.items() if spec.reads_business]
    return User.objects.filter(division=town, is_active=True, role__in=roles).order_by("role", "username")
