import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from safestar.core.crypto import PhoneField
from safestar.core.masking import mask_phone
from safestar.core.scope import ScopedQuerySet

from .roles import DataField, DepartmentKind, Level, Role, can, spec


class DivisionQuerySet(ScopedQuerySet):
    def villages(self):
        return self.filter(level=Level.VILLAGE)


class Division(models.Model):
    """One node of the administrative tree, identified by its statistical code.

    `path` is the materialised path of codes from the province down, e.g.
    "/410000000000/411400000000/411422000000/411422100000/"; a subtree is a prefix match.
    """

    code = models.CharField("区划代码", max_length=15, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    path = models.CharField("路径", max_length=255, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DivisionQuerySet.as_manager()
    scope_path = "path"
    scope_read = "reads_org"
    scope_write = "edits_divisions"

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "/") + self.code + "/"
        super().save(*args, **kwargs)

    def ancestor_codes(self):
        return [c for c in self.path.strip("/").split("/")]

    def ancestors(self):
        """This division and those above it, province first (one query)."""
        return list(Division.objects.filter(code__in=self.ancestor_codes()).order_by("path"))

    def full_name(self):
        return " / ".join(d.name for d in self.ancestors())

    def is_within(self, other) -> bool:
        return self.path.startswith(other.path)


def validate_child_code(parent, code, level):
    """A statistical code must be 12 digits and extend its parent's prefix; villages extend the
    town's 9 digits with 3 more (e.g. 411422100 + 201)."""
    messages = []
    if level == Level.GRID:
        if not (len(code) == 15 and code.isdigit() and code.startswith(parent.code)):
            messages.append(f"网格代码应为15位数字，且以所属村代码 {parent.code} 开头")
    elif not (len(code) == 12 and code.isdigit()):
        messages.append("区划代码应为12位数字")
    elif level == Level.VILLAGE and not (code.startswith(parent.code[:9]) and code[9:] != "000"):
        messages.append(f"村级代码应以所属乡镇代码前9位 {parent.code[:9]} 开头，末3位不能为000")
    if messages:
        raise ValidationError(messages)


class Department(models.Model):
    name = models.CharField("部门名称", max_length=60)
    kind = models.CharField("部门类别", max_length=20, choices=DepartmentKind.choices)
    division = models.ForeignKey(Division, models.PROTECT, related_name="departments", verbose_name="所属区划")
    fields = models.JSONField("共享的数据领域", default=list, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "division__path"
    scope_read = "reads_org"
    scope_write = "manages_departments"
    scope_include_ancestors = True  # a village sees the police station and county bureaus serving it

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["division__code", "name"]
        constraints = [models.UniqueConstraint(fields=["division", "name"], name="department_unique_name")]

    def __str__(self):
        return self.name

    def field_labels(self):
        return [DataField(f).label for f in self.fields if f in DataField.values]


class UserQuerySet(ScopedQuerySet):
    pass


class SafeStarUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """An account, anchored at one division and, for department users, one department."""

    full_name = models.CharField("姓名", max_length=30, blank=True)
    phone = PhoneField("联系电话", blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    division = models.ForeignKey(
        Division, models.PROTECT, null=True, related_name="users", verbose_name="归属区划"
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="users", verbose_name="所属部门"
    )
    # None until the user sets their own password: an account manager's password must be changed
    # at first login; and a password older than SAFESTAR_PASSWORD_MAX_AGE must be changed too.
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True, editable=False)

    objects = SafeStarUserManager()
    scope_path = "division__path"
    scope_read = "grants"
    scope_write = "grants"
    audit_masked = {"phone": mask_phone}  # personal data appears masked in the audit log
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = verbose_name_plural = "账号"
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    @staticmethod
    def scope_extra(queryset, user, write=False):
        # An account manager sees only the accounts it could itself have granted, never its own.
        return queryset.filter(role__in=spec(user.role).grants).exclude(pk=user.pk)

    @property
    def spec(self):
        return spec(self.role)

    def can(self, action, obj=None):
        """roles.can(self, action, obj): for the layers below org (core's transitions), which know the
        user but do not import org."""
        return can(self, action, obj)

    def set_password(self, raw_password, by_manager=False):
        """`by_manager`: set by someone else (account management), so it must be changed at next login."""
        super().set_password(raw_password)
        self.password_changed_at = None if by_manager else timezone.now()

    def password_expired(self) -> bool:
        changed = self.password_changed_at
        return changed is None or timezone.now() - changed > settings.SAFESTAR_PASSWORD_MAX_AGE

    def clean(self):
        errors = {}
        s = spec(self.role) if self.role else None
        if s and self.division_id and self.division.level not in s.anchor_levels:
            allowed = "、".join(Level(level).label for level in s.anchor_levels)
            errors["division"] = f"角色“{s.role.label}”只能归属到：{allowed}"
        if s and s.needs_department and not self.department_id:
            errors["department"] = "部门用户必须指定所属部门"
        if s and not s.needs_department and self.department_id:
            errors["department"] = f"角色“{s.role.label}”不归属部门"
        if self.department_id and self.division_id and self.department.division_id != self.division_id:
            errors["department"] = "所属部门必须设在该账号的归属区划"
        if errors:
            raise ValidationError(errors)


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords (HistoryValidator keeps the last five)."""

    user = models.ForeignKey(User, models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class UserSession(models.Model):
    """The sessions a user has open, oldest first, to cap how many may run at once. A session ended
    by a newer login keeps its row, with `ended_at`, until its browser comes back and is told why
    (org/middleware.py AccountGate)."""

    user = models.ForeignKey(User, models.CASCADE, related_name="open_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is kept; the token is shown once."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens", verbose_name="账号")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("前缀", max_length=8, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user):
        token = "ss_" + secrets.token_urlsafe(32)
        obj = cls.objects.create(user=user, digest=cls.hash(token), prefix=token[:8])
        return obj, token
