"""Re-sign the existing audit chain with the keyed hash (HMAC under the key outside the database).

The old chain (plain SHA-256) is checked first; the result is written into a last "rechain" event,
so that a chain that was already broken is not laundered silently: the evidence stays in the log.
"""

import datetime
import hashlib
import json

from django.db import migrations, models

FIELDS = (
    "at", "actor_id", "actor_name", "role", "division_path", "ip", "request_id",
    "action", "object_type", "object_id", "object_repr", "changes", "prev_hash",
)
GENESIS = "0" * 64


def _data(event):
    data = {f: getattr(event, f) for f in FIELDS}
    return data


def _old_hash(event):
    data = {**_data(event), "at": event.at.isoformat()}
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def rechain(apps, schema_editor):
    from safestar.audit.models import hash_of  # the keyed hash: the one definition, not a copy

    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.order_by("id")
    if not events.exists():
        return
    starts = {GENESIS} | {
        changes.get("last_pruned_hash") for changes in AuditEvent.objects.filter(action="prune").values_list("changes", flat=True)
    }
    old_prev = new_prev = None
    broken, count, batch = "", 0, []
    for event in events.iterator(chunk_size=1000):
        if not broken:
            linked = event.prev_hash in starts if old_prev is None else event.prev_hash == old_prev
            if not linked:
                broken = f"id={event.id} 与上一条事件的哈希不衔接"
            elif _old_hash(event) != event.hash:
                broken = f"id={event.id} 的内容与其哈希不符"
        old_prev = event.hash
        if new_prev is not None:  # the first event keeps its start (GENESIS or a pruned event's hash)
            event.prev_hash = new_prev
        event.hash = hash_of(_data(event))
        new_prev = event.hash
        batch.append(event)
        count += 1
        if len(batch) >= 1000:
            AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash"])
    verdict = f"改签前的哈希链已损坏（{broken}）" if broken else "改签前的哈希链完整"
    event = AuditEvent(
        at=datetime.datetime.now(datetime.UTC), actor_id=None, actor_name="", role="", division_path="", ip="",
        request_id="", action="rechain", object_type="", object_id="",
        object_repr=f"审计链改用密钥签名：{count} 条事件；{verdict}",
        changes={"events": count, "old_chain_intact": not broken, "old_chain_broken_at": broken},
        prev_hash=new_prev,
    )
    event.hash = hash_of(_data(event))
    event.save()


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_auditevent_prune_action"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=[("create", "新增"), ("update", "修改"), ("delete", "删除"), ("login", "登录"), ("logout", "退出"), ("login_failed", "登录失败"), ("export", "导出"), ("import", "导入"), ("view", "查看敏感信息"), ("token", "签发令牌"), ("prune", "清理过期审计事件"), ("rechain", "审计链改用密钥签名")], max_length=20, verbose_name="操作"),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
    ]
