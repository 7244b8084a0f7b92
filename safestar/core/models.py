import json
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .crypto import EncryptedTextField
from .scope import ScopedQuerySet
from .uploads import LABELS


def upload_root() -> Path:
    """Uploaded files live under the data folder, outside the static root: they are only ever
    served by the scoped, audited attachment view."""
    return Path(settings.VAR_DIR) / "uploads"


def _stored_name():
    return uuid.uuid4().hex


class AttachmentQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def of(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Attachment(models.Model):
    """A photo, scan or document attached to a record. Who may see it is decided by its owner:
    any scoped model with `has_attachments = True` (every ledger record)."""

    content_type = models.ForeignKey(ContentType, models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    name = models.CharField("文件名", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=list(LABELS.items()))
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    stored_as = models.CharField(max_length=32, unique=True, default=_stored_name, editable=False)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="上传人")
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="删除人"
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        indexes = [models.Index(fields=["content_type", "object_id"])]
        ordering = ["id"]

    def __str__(self):
        return self.name

    def path(self) -> Path:
        return upload_root() / self.stored_as[:2] / self.stored_as


class ImportMapping(models.Model):
    """How a town's files name their columns for one import (a ledger, the key-person registry):
    the choices made on the import's mapping step, {column label as written: field key, or "" for
    不导入}, offered again for the next file of the same town."""

    division = models.ForeignKey("org.Division", models.CASCADE, related_name="+", verbose_name="乡镇")
    importer = models.CharField("导入类型", max_length=60)
    columns = models.JSONField("列的对应", default=dict)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="修改人")

    class Meta:
        verbose_name = verbose_name_plural = "导入列对应"
        constraints = [models.UniqueConstraint(fields=["division", "importer"], name="one_mapping_per_town_and_import")]

    def __str__(self):
        return f"{self.division} · {self.importer}"


class StateChange(models.Model):
    """A dated change of a tracked field of a record (core/states.py): what it was, what it became,
    from which day, who recorded it and when. Written only by the one save path."""

    record_type = models.CharField("记录类型", max_length=60)  # "emergency.emergencymember"
    record_id = models.PositiveBigIntegerField("记录编号")
    field = models.CharField("项目", max_length=40)
    old = models.TextField("原值", null=True)
    new = models.TextField("新值", null=True)
    effective_on = models.DateField("生效日期")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="录入人"
    )

    class Meta:
        verbose_name = verbose_name_plural = "状态变更"
        indexes = [models.Index(fields=["record_type", "record_id", "field", "effective_on"], name="core_state_asof")]

    def __str__(self):
        return f"{self.field}：{self.old} → {self.new}（{self.effective_on} 起）"


class Event(models.Model):
    """One step of a workflow object (core/transitions.py): who, when, from, to, and the comment.
    Written only by the transition mechanism; read as the object's history by whoever reads it."""

    object_type = models.CharField("对象类型", max_length=40)
    object_id = models.PositiveBigIntegerField("对象编号")
    division = models.ForeignKey("org.Division", models.PROTECT, related_name="+", verbose_name="区划")
    action = models.CharField("操作", max_length=20)
    from_status = models.CharField("原状态", max_length=20)
    to_status = models.CharField("新状态", max_length=20)
    comment = models.CharField("意见", max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人")
    at = models.DateTimeField("时间", default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_path = "division__path"
    scope_read = "reads_business"
    scope_write = None  # written only by core.transitions
    scope_include_ancestors = True  # the history of a town's campaign or round is read by its villages too
    data_field = None

    class Meta:
        verbose_name = verbose_name_plural = "流转记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.action} {self.from_status}→{self.to_status}"


class Job(models.Model):
    """One piece of background work a user started (an import check, an import, a report): what the
    page that started it shows while the worker runs it (core/background.py). Only its user sees it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="发起人")
    title = models.CharField("任务", max_length=200)
    task = models.CharField("任务函数", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("进度说明", max_length=200, blank=True)
    # The result (an import report quotes cells: names, ID numbers) is stored encrypted, as JSON text.
    payload = EncryptedTextField("结果", blank=True, default="")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def result(self):
        return json.loads(self.payload) if self.payload else None

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)
