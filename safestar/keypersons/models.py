"""The key-person registry (重点人员): the most sensitive data in SafeStar.

Who may see it is narrower than for any ledger (`scope_roles` and `scope_extra`): the town office;
departments that share the key-person field, for the categories that name their kind of department
(公安 drug users, 司法 community correction, 卫健 mental patients, ...), within their area; and the
village cadre who is a person's 包案人, for that person only. ID number and phone numbers are
stored encrypted (core/crypto.py); the ID number is found and kept unique by its keyed hash.
Everything a list shows is masked; the full record needs a reveal with a reason (views.py).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from safestar.core.cells import clerk_words

from safestar.core.crypto import EncryptedTextField, HashField, PhoneField
from safestar.core.ledger import LedgerQuerySet, LedgerRecord, ledger_manager
from safestar.core.masking import mask_id_number, mask_name, mask_phone
from safestar.core.validators import normalise_id_number, validate_id_number
from safestar.org.roles import DataField, DepartmentKind, can, holders


class Category(models.Model):
    """A category of key person (刑满释放人员, 严重精神障碍患者, ...): data, so a county can add its own."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    visit_interval_days = models.PositiveSmallIntegerField("走访周期（天）", help_text="两次走访（帮教）之间最多相隔的天数")
    departments = models.JSONField("负责部门类型", default=list, blank=True, help_text="这些类型的部门可以查看、管理本类人员")
    required_details = models.JSONField("必填的专项信息", default=list, blank=True)
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = verbose_name_plural = "重点人员类别"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    def department_labels(self):
        labels = dict(DepartmentKind.choices)
        return "、".join(labels.get(kind, kind) for kind in self.departments) or "（仅镇平安办）"


class Status(models.TextChoices):
    MANAGED = "managed", "在管"
    LOST = "lost", "脱管"
    MISSED = "missed", "漏管"
    RELEASED = "released", "解除"


clerk_words(Status, {
    Status.MANAGED: ("在控", "正常管理", "稳控"),
    Status.LOST: ("失控", "失联"),
    Status.MISSED: ("未纳入管理",),
    Status.RELEASED: ("已解除", "解除管控"),
})


class Treatment(models.TextChoices):
    NONE = "none", "未治疗"
    HOME = "home", "居家服药"
    OUTPATIENT = "outpatient", "门诊治疗"
    HOSPITAL = "hospital", "住院治疗"
    COMPULSORY = "compulsory", "强制医疗"


class KeyPersonQuerySet(LedgerQuerySet):
    def managed(self):
        return self.alive().filter(status=Status.MANAGED)


class KeyPerson(LedgerRecord):
    name = models.CharField("姓名", max_length=20)
    id_number = EncryptedTextField("身份证号", validators=[validate_id_number])
    id_number_hash = HashField(source="id_number", unique=True)
    phone = PhoneField("联系电话", blank=True)
    address = models.CharField("现住址", max_length=100, blank=True)
    categories = models.ManyToManyField(Category, related_name="persons", verbose_name="类别")
    registered_on = models.DateField("登记日期", null=True, help_text="列为重点人员的日期；从这一天起计入评分，首次走访周期也从这一天算起")
    status = models.CharField("管控状态", max_length=10, choices=Status.choices, default=Status.MANAGED)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="包案人",
        help_text="负责走访帮教的村干部；包案人可以查看本人及录入走访记录",
    )
    # Details of the categories (which ones a category requires is its `required_details`).
    release_date = models.DateField("刑满释放日期", null=True, blank=True)
    sentence = models.CharField("原判罪名及刑期", max_length=100, blank=True)
    correction_start = models.DateField("矫正起始日期", null=True, blank=True)
    correction_end = models.DateField("矫正截止日期", null=True, blank=True)
    drug_tests = models.TextField("尿检（毛发检测）记录", blank=True)
    guardian_name = models.CharField("监护人姓名", max_length=20, blank=True)
    guardian_relation = models.CharField("监护人关系", max_length=20, blank=True)
    guardian_phone = PhoneField("监护人电话", blank=True)
    risk_grade = models.PositiveSmallIntegerField("危险性评估等级", null=True, blank=True, validators=[MaxValueValidator(5)],
                                                  help_text="0–5 级，3 级及以上须落实住院或强制医疗")
    treatment = models.CharField("治疗情况", max_length=12, choices=Treatment.choices, blank=True)
    measures_management = models.TextField("管理措施", blank=True)
    measures_education = models.TextField("教育措施", blank=True)
    measures_service = models.TextField("服务措施", blank=True)

    objects = ledger_manager(KeyPersonQuerySet)
    data_field = DataField.KEYPERSONS
    scope_roles = holders("keypersons.view")
    scope_write_roles = holders("keypersons.manage")
    has_attachments = False  # documents about a person go on their visits, which are shown only after a reveal
    future_date_fields = ("correction_end",)
    # The state that scores read as of a year's end (core/states.py); categories are read as they are.
    tracked_fields = ("status", "measures_management", "measures_education", "measures_service",
                      "guardian_name", "risk_grade", "treatment")
    audit_masked = {"name": mask_name, "id_number": mask_id_number, "phone": mask_phone, "guardian_phone": mask_phone}

    class Meta:
        verbose_name = verbose_name_plural = "重点人员"
        indexes = [models.Index(fields=["division", "status"])]

    def __str__(self):  # masked: this is what lists, choices and the audit log show
        return f"{mask_name(self.name)}（{mask_id_number(self.id_number)}）"

    @staticmethod
    def scope_extra(queryset, user, write=False):
        if can(user, "keypersons.every_category"):
            return queryset
        if can(user, "keypersons.by_category"):
            kind = user.department.kind
            ids = [c.pk for c in Category.objects.all() if kind in c.departments]
            return queryset.filter(pk__in=KeyPerson.categories.through.objects.filter(category__in=ids).values("keyperson"))
        if can(user, "keypersons.be_responsible") and not write:
            return queryset.filter(responsible=user)
        return queryset.none()

    def clean(self):
        self.id_number = normalise_id_number(self.id_number)

    def clean_details(self, categories):
        """The details the chosen categories require, as {field: message}."""
        errors = {}
        for category in categories:
            for name in category.required_details:
                if getattr(self, name) in (None, ""):
                    label = self._meta.get_field(name).verbose_name
                    errors.setdefault(name, f"“{category.name}”须填写{label}")
        if self.correction_start and self.correction_end and self.correction_end < self.correction_start:
            errors["correction_end"] = "矫正截止日期不能早于起始日期"
        return errors

    def masked(self):
        """What a list shows."""
        return {"name": mask_name(self.name), "id_number": mask_id_number(self.id_number), "phone": mask_phone(self.phone)}


class VisitKind(models.TextChoices):
    VISIT = "visit", "走访"
    HELP = "help", "帮教"
    COUNSEL = "counsel", "心理疏导"
    CHECK = "check", "尿检/复查"


clerk_words(VisitKind, {
    VisitKind.VISIT: ("入户走访", "上门走访", "走访帮扶"),
    VisitKind.HELP: ("帮扶", "帮教帮扶"),
    VisitKind.COUNSEL: ("心理辅导", "谈心谈话", "疏导"),
    VisitKind.CHECK: ("尿检", "复查", "尿检复查"),
})


class Visit(LedgerRecord):
    """A follow-up visit (走访 / 帮教) of a key person; photos are its attachments."""

    person = models.ForeignKey(KeyPerson, models.PROTECT, related_name="visits", verbose_name="重点人员")
    visited_on = models.DateField("走访日期")
    kind = models.CharField("方式", max_length=10, choices=VisitKind.choices, default=VisitKind.VISIT)
    visitor = models.CharField("走访人", max_length=40)
    findings = models.TextField("走访情况")

    data_field = DataField.KEYPERSONS
    scope_roles = KeyPerson.scope_roles
    scope_write_roles = holders("keypersons.record_visit")  # the 包案人 records the visits of their own people

    class Meta:
        verbose_name = verbose_name_plural = "走访帮教记录"
        indexes = [models.Index(fields=["person", "visited_on"])]

    def __str__(self):
        return f"{self.visited_on} {self.get_kind_display()}"

    @staticmethod
    def scope_extra(queryset, user, write=False):
        return queryset.filter(person__in=KeyPerson.objects.visible_to(user).values("pk"))

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("key-person", args=[self.person_id])


class IncidentLink(models.Model):
    """An incident caused by a key person (肇事肇祸). A recognised linked incident counts as a
    key-person incident (kind `key_person_incident`) for the scheme's zero-incident items and vetoes."""

    person = models.ForeignKey(KeyPerson, models.PROTECT, related_name="incident_links", verbose_name="重点人员")
    incident = models.ForeignKey("incidents.Incident", models.PROTECT, related_name="key_person_links", verbose_name="案事件")
    linked_at = models.DateTimeField("关联时间", auto_now_add=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="关联人")

    class Meta:
        verbose_name = verbose_name_plural = "重点人员肇事肇祸"
        constraints = [models.UniqueConstraint(fields=["person", "incident"], name="keyperson_incident_once")]
