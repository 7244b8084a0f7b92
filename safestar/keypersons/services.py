"""What can be done to the registry, shared by the pages, the import and the API: the one form,
saving with optimistic locking, revealing with a reason, linking an incident. Each write is one
transaction with its audit event; personal data reaches the audit log masked (`audit_masked`)."""

from django import forms
from django.db import transaction
from django.db.models import Q

from safestar.audit.log import record
from safestar.core.crypto import keyed_hash
from safestar.core.ledger import LedgerForm
from safestar.core.saving import save_form
from safestar.core.validators import normalise_id_number
from safestar.org.models import User
from safestar.org.roles import can, holders
from safestar.core.widgets import DateInput

from .models import Category, KeyPerson, Visit

PERSON_FIELDS = [
    "name", "id_number", "phone", "address", "categories", "registered_on", "status", "responsible",
    "release_date", "sentence", "correction_start", "correction_end", "drug_tests",
    "guardian_name", "guardian_relation", "guardian_phone", "risk_grade", "treatment",
    "measures_management", "measures_education", "measures_service",
]
DETAILS = PERSON_FIELDS[PERSON_FIELDS.index("release_date"):]  # shown only after a reveal
AUDITED = ["division", *PERSON_FIELDS]
REVEAL_REASON_MIN = 4


def categories_for(user):
    """The categories a user may put people in: all for the town office, its own for a department."""
    categories = Category.objects.filter(active=True)
    if can(user, "keypersons.by_category"):
        return categories.filter(pk__in=[c.pk for c in categories if user.department.kind in c.departments])
    return categories


def responsible_choices(user):
    """Who may be a 包案人: the active village cadres under the user's division. (Not the account
    scope, `User.visible_to`, which means "accounts I may grant".)"""
    return User.objects.filter(role__in=holders("keypersons.be_responsible"), is_active=True, division__path__startswith=user.division.path)


class PersonForm(LedgerForm):
    class Meta:
        model = KeyPerson
        fields = ["division", *PERSON_FIELDS]
        widgets = {"categories": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        current = list(self.instance.categories.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["categories"].queryset = Category.objects.filter(Q(pk__in=categories_for(user)) | Q(pk__in=current))
        self.fields["categories"].error_messages["required"] = "请至少选择一个类别"
        self.fields["responsible"].queryset = responsible_choices(user).select_related("division")
        self.fields["responsible"].label_from_instance = lambda u: f"{u}（{u.division.name}）"
        self.fields["id_number"].widget = forms.TextInput(attrs={"autocomplete": "off"})

    def clean_id_number(self):
        number = normalise_id_number(self.cleaned_data.get("id_number"))
        taken = KeyPerson.objects.filter(id_number_hash=keyed_hash(number)).exclude(pk=self.instance.pk).first()
        if taken is not None:
            if KeyPerson.objects.visible_to(self.user).filter(pk=taken.pk).exists():
                where = "（已删除，可在已删除中恢复）" if taken.deleted_at else f"（{taken.division.name}，编号 {taken.pk}）"
                raise forms.ValidationError(f"该身份证号的人员已登记{where}，请修改原记录")
            raise forms.ValidationError("该身份证号的人员已由其他单位登记，请联系镇平安办")
        return number

    def clean(self):
        data = super().clean()
        village, responsible = data.get("division"), data.get("responsible")
        if village and responsible and responsible.division_id != village.pk:
            self.add_error("responsible", f"包案人须是{village.name}的村干部")
        if categories := data.get("categories"):
            probe = KeyPerson(**{k: v for k, v in data.items() if k != "categories" and k in self._meta.fields})
            for name, message in probe.clean_details(categories).items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, message)
        return data


def save_person(form, user, version=None):
    """Create, or update if the version the user started from is still the current one (the one
    audited save, core/saving.py; personal data reaches the audit log masked)."""
    return save_form(form, user, AUDITED, version=version)


def reveal(person, user, reason):
    """Record that `user` saw the full record of `person`, and why (查看敏感信息)."""
    record("view", person, actor=user, object_repr=f"查看重点人员完整信息：{person}", changes={"reason": reason})


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="查看原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="查看完整信息会记入审计日志，请写明工作事由（如：走访前核对住址）",
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < REVEAL_REASON_MIN:
            raise forms.ValidationError(f"请写明查看原因（至少 {REVEAL_REASON_MIN} 个字）")
        return reason


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["visited_on", "kind", "visitor", "findings"]
        widgets = {"visited_on": DateInput(), "findings": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_visited_on(self):
        from safestar.clock import today

        date = self.cleaned_data["visited_on"]
        if date > today():
            raise forms.ValidationError("日期不能晚于今天")
        return date


def add_visit(form, user):
    person = form.person
    return save_form(form, user, ["visited_on", "kind", "visitor"], values={"person": person, "division_id": person.division_id},
                     describe=lambda visit: f"{person} 的走访：{visit}")


def link_incident(person, incident, user):
    """Link an incident of the person's village to them (肇事肇祸); False if already linked."""
    from .models import IncidentLink

    with transaction.atomic():
        link, created = IncidentLink.objects.get_or_create(person=person, incident=incident, defaults={"linked_by": user})
        if created:
            record("update", person, actor=user, object_repr=f"关联肇事肇祸案事件：{person}", changes={"incident": [None, str(incident)]})
    return created
