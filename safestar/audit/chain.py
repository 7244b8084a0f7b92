"""The audit chain's key and its checkpoints: what makes the chain impossible to rewrite quietly.

Key. Each event's hash is an HMAC-SHA256 under a key kept OUTSIDE the database: the environment
variable SAFESTAR_AUDIT_KEY (base64, at least 32 bytes) or the file SAFESTAR_AUDIT_KEY_FILE (default
var/audit_key), created with mode 600 on first use. Someone who can write to the database but cannot
read that key cannot compute a valid hash, so an edited event cannot be given a fresh hash, and no
event can be inserted. The key is never rotated (a new key would need the whole chain re-signed);
keep a copy of it apart from the database backups, or `safestar audit verify` cannot succeed again.

Checkpoints. A key does not stop someone deleting the LAST events (what remains is still a valid
chain), nor someone who holds the key from rewriting an event and re-signing everything after it.
`checkpoint()` therefore writes the head of the chain (the last event's id and hash) as one JSON line
to an append-only file outside the database, SAFESTAR_AUDIT_CHECKPOINTS (default
var/audit_checkpoints.jsonl); `safestar audit checkpoint` calls it and prints the head for an operator
to keep elsewhere, each backup writes one (core/backup.py), and the background worker writes one every
hour when the head moved (core/tasks.py).
`verify()` (log.py) checks that every checkpointed event is still in the chain with the same hash.

A restore (core/backup.py) legitimately takes the chain back to an older head: it appends a
"restore" line naming the restored head, which supersedes the checkpoints after that head.
"""

import base64
import binascii
import datetime
import functools
import hmac
import json
import os
import re
import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

GENESIS = "0" * 64
HEAD = re.compile(r"(\d+):([0-9a-f]{64})")


# ── Key ──────────────────────────────────────────────────────────────────────────────────────


def _decode(value, what):
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"审计链密钥配置错误：{what} 不是有效的 base64 编码。") from None
    if len(raw) < 32:
        raise ImproperlyConfigured(f"审计链密钥配置错误：{what} 解码后应至少 32 字节，实际为 {len(raw)} 字节。")
    return raw


@functools.cache
def key() -> bytes:
    """The HMAC key of the audit chain, loaded once per process; created in the var folder on first use."""
    if settings.SAFESTAR_AUDIT_KEY.strip():
        return _decode(settings.SAFESTAR_AUDIT_KEY, "环境变量 SAFESTAR_AUDIT_KEY")
    path = Path(settings.SAFESTAR_AUDIT_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".audit_key.")  # mode 600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)  # two processes creating it at once agree on one key
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    return _decode(path.read_text(), f"密钥文件 {path}")


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    if setting in {"SAFESTAR_AUDIT_KEY", "SAFESTAR_AUDIT_KEY_FILE"}:
        key.cache_clear()


def sign(payload: bytes) -> str:
    return hmac.new(key(), payload, "sha256").hexdigest()


# ── Checkpoints ──────────────────────────────────────────────────────────────────────────────


def head():
    """(id, hash) of the last event, or (0, GENESIS) for an empty log. The id order is the commit
    order (writers are serialised, see log._lock_chain), so this is always a prefix of the chain."""
    from .models import AuditEvent

    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    return tuple(last) if last else (0, GENESIS)


def append_checkpoint(line: dict, path=None):
    path = Path(path or settings.SAFESTAR_AUDIT_CHECKPOINTS)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: every line lands at the end, whatever other processes write at the same time.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(line, ensure_ascii=False) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def checkpoint(note="", path=None):
    """Append the chain's head to the checkpoint file and return it as {"id", "hash", "at", "note"}.
    Called by `safestar audit checkpoint`, every backup and, hourly, the background worker
    (core/tasks.py `audit_checkpoint`)."""
    event_id, event_hash = head()
    line = {"at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), "id": event_id,
            "hash": event_hash, "note": note}
    append_checkpoint(line, path)
    return line


def mark_restore(source):
    """After a restore: the chain now ends at the restored head; later checkpoints no longer apply."""
    event_id, event_hash = head()
    line = {"at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), "id": event_id,
            "hash": event_hash, "restore": str(source)}
    append_checkpoint(line)
    return line


def format_head(line) -> str:
    """The form an operator keeps and gives back to `safestar audit verify --checkpoint`."""
    return f"{line['id']}:{line['hash']}"


def parse_head(text):
    match = HEAD.fullmatch(text.strip())
    if not match:
        raise ValueError(f"检查点格式应为“事件编号:64位十六进制哈希”，收到 {text.strip()[:80]!r}")
    return int(match[1]), match[2]


def read_checkpoints(path=None, *, missing_ok=True):
    """The checkpoints in force from a checkpoint file: [(id, hash, where)], in file order.

    A restore line drops every earlier checkpoint beyond the head it restored, and stands as a
    checkpoint itself. Raises ValueError (Chinese, naming the line) for an unreadable line."""
    path = Path(path or settings.SAFESTAR_AUDIT_CHECKPOINTS)
    if not path.is_file():
        if missing_ok and not path.exists():
            return []
        raise ValueError(f"检查点文件 {path} 不存在")
    found = []
    for number, text in enumerate(path.read_text(errors="replace").splitlines(), 1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            event_id, event_hash = int(line["id"]), str(line["hash"])
            if not re.fullmatch(r"[0-9a-f]{64}", event_hash) or event_id < 0:
                raise ValueError
        except (ValueError, TypeError, KeyError):
            raise ValueError(f"检查点文件 {path} 第 {number} 行无法读取") from None
        if "restore" in line:
            found = [c for c in found if c[0] <= event_id]
        found.append((event_id, event_hash, f"{path.name} 第 {number} 行"))
    return found
