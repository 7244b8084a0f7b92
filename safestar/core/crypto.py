"""Field-level encryption for personal data (ID numbers, phone numbers, ...).

Why: a copy of the database (a backup, a dump handed to a vendor) must not reveal personal data.
Values are encrypted with AES-256-GCM under keys kept OUTSIDE the database: the environment
variable SAFESTAR_FIELD_KEYS or the key file SAFESTAR_KEY_FILE, both holding

    {"current": "k2", "keys": {"k1": "<base64 32 bytes>", "k2": "..."}, "hmac": "<base64 32 bytes>"}

The current key encrypts; every listed key decrypts, so old rows stay readable after a rotation.
A token in the database is "<key id>:<base64(nonce + ciphertext + tag)>"; the key id is also the
associated data, so a token cannot be relabelled to another key.

Encrypted values are random (same plaintext → different tokens), so the database cannot compare
them. For exact-match lookup and uniqueness, declare a companion `HashField` that holds an HMAC of
the normalised plaintext (the HMAC key is separate and never rotated, so hashes stay stable):

    class Person(models.Model):
        id_number = EncryptedTextField("身份证号", blank=True)
        id_number_hash = HashField(source="id_number", unique=True)

    Person.objects.filter(id_number_hash=keyed_hash("11010519491231002x"))

The hash is computed in HashField.pre_save from the plaintext on the instance, so `save()`,
`create()` and `bulk_create()` keep it in sync whatever the field order. Paths that skip pre_save
do NOT: `QuerySet.update()`, `bulk_update()`, and `save(update_fields=[...])` naming only the
encrypted field; name the hash field too, or save the whole object. `sync_hashes(obj)` fills the
hashes by hand (before bulk_update, or in Model.clean() so that full_clean() checks uniqueness).

Filtering, ordering or comparing by the encrypted column itself is meaningless; every lookup but
`isnull` (and `exact` with None or "") raises FieldError pointing to the hash field.
Note that `dumpdata` writes plaintext, since serialisation uses the Python value.

Rotation (`safestar keys rotate`, `rotate_keys()`): a new key is added to the key file and made
current, then every EncryptedTextField value of every model is re-encrypted in one transaction.
"""

import base64
import binascii
import fcntl
import functools
import hmac
import json
import os
import re
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.models.functions import Cast
from django.db.models.lookups import Exact, IsNull
from django.dispatch import receiver

NONCE_SIZE = 12
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")


class DecryptionError(ValueError):
    """A token that cannot be decrypted: unknown key id, damaged or tampered with."""


# ── Keys ─────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict  # key id → raw 32-byte key
    hmac_key: bytes
    source: str  # "env" or "file"

    def aead(self, key_id):
        return AESGCM(self.keys[key_id])


def _b64key(value, what, min_len=32, max_len=32):
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ImproperlyConfigured(f"字段加密配置错误：{what} 不是有效的 base64 编码。") from None
    if not min_len <= len(raw) <= max_len:
        raise ImproperlyConfigured(f"字段加密配置错误：{what} 解码后应为 32 字节，实际为 {len(raw)} 字节。")
    return raw


def parse_keys(text, source):
    """Parse and check the JSON key material; errors name what is wrong, never the key itself."""
    try:
        data = json.loads(text)
        current, keys, hmac_key = data["current"], data["keys"], data["hmac"]
    except (ValueError, TypeError, KeyError):
        raise ImproperlyConfigured(
            '字段加密配置错误：应为 JSON {"current": "k1", "keys": {"k1": "..."}, "hmac": "..."}。'
        ) from None
    if not isinstance(keys, dict) or not keys:
        raise ImproperlyConfigured("字段加密配置错误：keys 不能为空。")
    for key_id in keys:
        if not KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(f"字段加密配置错误：密钥编号 {key_id!r} 只能由字母、数字、- 和 _ 组成。")
    if current not in keys:
        raise ImproperlyConfigured(f"字段加密配置错误：当前密钥 {current!r} 不在 keys 中。")
    return KeyRing(
        current=current,
        keys={key_id: _b64key(value, f"密钥 {key_id}") for key_id, value in keys.items()},
        hmac_key=_b64key(hmac_key, "hmac 密钥", max_len=1024),
        source=source,
    )


def _new_key():
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _write_private(path, data, *, replace):
    """Write JSON to `path` with mode 600, atomically: readers see the old file or the new one.

    With replace=False an existing file wins (two processes creating it at once agree on one).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".field_keys.")  # created with mode 600
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@functools.cache
def keyring() -> KeyRing:
    """The configured keys, loaded once per process (clear_key_cache() reloads them)."""
    if settings.SAFESTAR_FIELD_KEYS.strip():
        return parse_keys(settings.SAFESTAR_FIELD_KEYS, "env")
    path = Path(settings.SAFESTAR_KEY_FILE)
    if not path.exists():
        if not settings.SAFESTAR_KEYS_AUTOCREATE:
            raise ImproperlyConfigured(
                f"未配置字段加密密钥：请设置环境变量 SAFESTAR_FIELD_KEYS，或提供密钥文件 {path}。"
            )
        _write_private(path, {"current": "k1", "keys": {"k1": _new_key()}, "hmac": _new_key()}, replace=False)
    return parse_keys(path.read_text(), "file")


def clear_key_cache():
    keyring.cache_clear()


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    if setting in {"SAFESTAR_FIELD_KEYS", "SAFESTAR_KEY_FILE", "SAFESTAR_KEYS_AUTOCREATE"}:
        clear_key_cache()


# ── Encrypt, decrypt, hash ───────────────────────────────────────────────────────────────────


def encrypt(text: str) -> str:
    ring = keyring()
    nonce = secrets.token_bytes(NONCE_SIZE)
    sealed = ring.aead(ring.current).encrypt(nonce, text.encode(), ring.current.encode())
    return f"{ring.current}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    key_id, sep, body = token.partition(":")
    if not sep:
        raise DecryptionError("密文格式错误：缺少密钥编号。")
    ring = keyring()
    if key_id not in ring.keys:
        # Another process may have rotated the keys since we loaded them: reload once.
        clear_key_cache()
        ring = keyring()
        if key_id not in ring.keys:
            raise DecryptionError(f"未知的密钥编号 {key_id!r}：该密钥不在当前密钥配置中。")
    try:
        raw = base64.b64decode(body, validate=True)
        if len(raw) < NONCE_SIZE + 16:
            raise ValueError
        return ring.aead(key_id).decrypt(raw[:NONCE_SIZE], raw[NONCE_SIZE:], key_id.encode()).decode()
    except (InvalidTag, ValueError, binascii.Error):
        raise DecryptionError(f"密文无法用密钥 {key_id} 解密：数据已损坏或被篡改。") from None


def seal(data: bytes, context: str) -> bytes:
    """Encrypt bytes (a stashed upload) under the current field key, bound to `context` (e.g. the
    uploader: "import:<user id>"): opening it with any other context fails."""
    ring = keyring()
    nonce = secrets.token_bytes(NONCE_SIZE)
    aad = f"{ring.current}|{context}".encode()
    return ring.current.encode() + b":" + nonce + ring.aead(ring.current).encrypt(nonce, data, aad)


def unseal(blob: bytes, context: str) -> bytes:
    """The bytes `seal(…, context)` encrypted; DecryptionError for another context or a damaged blob."""
    key_id, sep, body = blob.partition(b":")
    ring = keyring()
    key_id = key_id.decode("ascii", "replace")
    if not sep or key_id not in ring.keys or len(body) < NONCE_SIZE + 16:
        raise DecryptionError("文件无法解密：密钥不符或文件已损坏。")
    try:
        return ring.aead(key_id).decrypt(body[:NONCE_SIZE], body[NONCE_SIZE:], f"{key_id}|{context}".encode())
    except InvalidTag:
        raise DecryptionError("文件无法解密：不是本人的文件，或文件已损坏。") from None


def normalise_for_hash(text: str) -> str:
    """NFKC (full-width digits and letters → ASCII), no whitespace anywhere, upper case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def keyed_hash(text: str) -> str:
    """Hex HMAC-SHA256 of the normalised value: stable across rotations, useless without the key."""
    return hmac.new(keyring().hmac_key, normalise_for_hash(text).encode(), "sha256").hexdigest()


# ── Model fields ─────────────────────────────────────────────────────────────────────────────


def _lookup_error(field, lookup_name):
    hashes = [f.name for f in field.model._meta.fields if getattr(f, "source", None) == field.name]
    hint = (
        f"请改用哈希字段：filter({hashes[0]}=keyed_hash(值))"
        if hashes
        else f"如需按值查找，请为它增加 HashField(source={field.name!r})，按该字段查询 keyed_hash(值)"
    )
    return FieldError(f"{field.model._meta.label}.{field.name} 是加密字段，不能按值查询（{lookup_name}）；{hint}。")


class _EmptyOnlyExact(Exact):
    """`filter(field=None)` and `filter(field="")` still work: empty values are stored as is."""

    def __init__(self, lhs, rhs):
        if rhs not in (None, ""):
            raise _lookup_error(lhs.output_field, "exact")
        super().__init__(lhs, rhs)


class EncryptedTextField(models.TextField):
    """A TextField stored encrypted; in Python it is the plaintext (None and "" are stored as is)."""

    description = "加密文本"

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _EmptyOnlyExact
        raise _lookup_error(self, lookup_name)

    def get_transform(self, lookup_name):
        raise _lookup_error(self, lookup_name)


class PhoneField(EncryptedTextField):
    """A phone number: personal data, so stored encrypted; validated; edited in a one-line input.
    Models list it in `audit_masked` to have it masked in the audit log."""

    def __init__(self, *args, **kwargs):
        from .validators import validate_phone

        kwargs.setdefault("validators", [validate_phone])
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        from django import forms

        widget = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})
        return super().formfield(**{"widget": widget, "max_length": 20, **kwargs})


class HashField(models.CharField):
    """The keyed hash of another field's plaintext, kept in sync on save (see the module docstring).

    Empty source → NULL, so `unique=True` allows many rows without a value.
    """

    description = "加密字段的查询哈希"
    _defaults = {"max_length": 64, "db_index": True, "editable": False, "null": True, "blank": True}

    def __init__(self, *args, source, **kwargs):
        self.source = source
        super().__init__(*args, **{**self._defaults, **kwargs})

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, default in self._defaults.items():
            if getattr(self, key) == default:
                kwargs.pop(key, None)
            else:
                kwargs[key] = getattr(self, key)
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source)
        value = keyed_hash(plain) if plain else None
        setattr(model_instance, self.attname, value)
        return value


def sync_hashes(instance):
    """Recompute every HashField of `instance` from its plaintext now, without saving."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, HashField):
            field.pre_save(instance, add=False)


# ── Rotation ─────────────────────────────────────────────────────────────────────────────────


def encrypted_fields():
    """{model: [EncryptedTextField, ...]} for every installed model with a table of its own."""
    found = {}
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found[model] = fields
    return found


def _add_key_to_file():
    """Add a fresh key to the key file and make it current; returns its id.

    The file is written BEFORE any row is re-encrypted: if re-encryption then fails, every row is
    still under a key the file holds. An exclusive lock stops two rotations losing each other's key.
    """
    ring = keyring()
    if ring.source == "env":
        raise ImproperlyConfigured(
            "密钥来自环境变量 SAFESTAR_FIELD_KEYS，系统无法改写，不能自动轮换。请：1. 用 "
            "`openssl rand -base64 32` 生成新密钥，以新编号加入该变量的 keys 并设为 current（保留旧密钥）；"
            "2. 重启所有服务进程；3. 运行 `safestar keys rotate --no-new-key` 把旧数据改用新密钥加密。"
        )
    path = Path(settings.SAFESTAR_KEY_FILE)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(path.read_text())
        numbers = [int(k[1:]) for k in data["keys"] if re.fullmatch(r"k\d+", k)]
        n = max(numbers, default=0) + 1
        while f"k{n}" in data["keys"]:
            n += 1
        data["keys"][f"k{n}"] = _new_key()
        data["current"] = f"k{n}"
        parse_keys(json.dumps(data), "file")  # never write a file we could not read back
        _write_private(path, data, replace=True)
    clear_key_cache()
    return f"k{n}"


def rotate_keys(*, new_key=True, batch_size=500):
    """Make a new current key (unless new_key=False) and re-encrypt every value under it.

    Returns {"app.Model": number of values re-encrypted}. Values already under the current key are
    skipped, so `new_key=False` finishes an interrupted rotation (or one done by hand in the
    environment variable) without touching rows twice.
    """
    if new_key:
        _add_key_to_file()
    current = keyring().current
    counts = {}
    with transaction.atomic():
        for model, fields in encrypted_fields().items():
            counts[model._meta.label] = _reencrypt(model, fields, current, batch_size)
    return counts


def _reencrypt(model, fields, current, batch_size):
    # Read the raw tokens (Cast skips from_db_value), page by primary key so that no cursor stays
    # open while the same table is updated; write back plaintext, which get_prep_value encrypts.
    # select_for_update: on PostgreSQL no one changes a row between our read and our write
    # (SQLite needs nothing: its IMMEDIATE transactions already exclude other writers).
    raw = {f"_raw_{f.attname}": Cast(f.attname, models.TextField()) for f in fields}
    manager, count, last = model._base_manager, 0, None
    while True:
        page = manager.select_for_update().order_by("pk").annotate(**raw).values_list("pk", *raw)
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:batch_size])
        if not rows:
            return count
        for pk, *tokens in rows:
            stale = {
                field.attname: decrypt(token)
                for field, token in zip(fields, tokens)
                if token and not token.startswith(current + ":")
            }
            if stale:
                manager.filter(pk=pk).update(**stale)
                count += len(stale)
        last = rows[-1][0]
