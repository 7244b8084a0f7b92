import json

from django.conf import settings
from django.db import models

from .chain import sign


class Action(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    LOGIN = "login", "登录"
    LOGOUT = "logout", "退出"
    LOGIN_FAILED = "login_failed", "登录失败"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    VIEW = "view", "查看敏感信息"
    TOKEN = "token", "签发令牌"
    PRUNE = "prune", "清理过期审计事件"
    RECHAIN = "rechain", "审计链改用密钥签名"


class AuditEvent(models.Model):
    """One append-only audit event. `hash` is an HMAC, under a key kept outside the database
    (chain.py), of every field and the previous event's hash, so altering, removing or reordering
    events breaks the chain; checkpoints of the chain's head catch truncation (`safestar audit verify`)."""

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    actor_name = models.CharField("账号", max_length=150, blank=True)
    role = models.CharField("角色", max_length=20, blank=True)
    division_path = models.CharField("归属区划", max_length=255, blank=True, db_index=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    request_id = models.CharField("请求编号", max_length=32, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    # The audit role sees the events of the accounts anchored inside its own division: the viewer
    # (org/audit_views.py) applies the scope mechanism (core.scope.scope_filter) with these.
    scope_path = "division_path"
    scope_read = "reads_audit"
    scope_write = None  # no role may change an event
    scope_include_unowned = True  # events of operator commands (no account) concern every auditor

    class Meta:
        verbose_name = verbose_name_plural = "审计事件"
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    HASHED_FIELDS = (
        "at", "actor_id", "actor_name", "role", "division_path", "ip", "request_id",
        "action", "object_type", "object_id", "object_repr", "changes", "prev_hash",
    )

    def compute_hash(self) -> str:
        return hash_of({f: getattr(self, f) for f in self.HASHED_FIELDS})


def hash_of(data) -> str:
    """The keyed hash of an event's HASHED_FIELDS (also used by the re-chaining migration)."""
    return sign(hash_payload({**data, "at": data["at"].isoformat()}).encode())


def hash_payload(data) -> str:
    """The text that is hashed: the fields as JSON, keys sorted (`at` already a string)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
