import base64
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models

from safestar.core import crypto
from safestar.core.crypto import DecryptionError, EncryptedTextField, HashField, decrypt, encrypt, keyed_hash


def b64(byte):
    return base64.b64encode(bytes([byte]) * 32).decode()


ENV_KEYS = json.dumps({"current": "k2", "keys": {"k1": b64(1), "k2": b64(2)}, "hmac": b64(3)})


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    """Every test gets its own key file in a temporary folder and a cold key cache."""
    settings.SAFESTAR_FIELD_KEYS = ""
    settings.SAFESTAR_KEY_FILE = tmp_path / "field_keys.json"
    settings.SAFESTAR_KEYS_AUTOCREATE = True
    crypto.clear_key_cache()
    yield settings.SAFESTAR_KEY_FILE
    crypto.clear_key_cache()


@pytest.fixture
def person_model():
    """A model using the fields, registered in app "core" for this test only.

    Declared here rather than at module level so that it is in the app registry only while a test
    uses it: makemigrations (tests/test_migrations.py) and rotate_keys() in other tests never see it.
    """

    class Meta:
        app_label = "core"

    model = type(
        "CryptoTestPerson",
        (models.Model,),
        {
            "__module__": __name__,
            "Meta": Meta,
            "name": models.CharField(max_length=20),
            "id_number": EncryptedTextField(null=True, blank=True),
            "id_number_hash": HashField(source="id_number", unique=True),
            "phone": EncryptedTextField(blank=True),
        },
    )
    yield model
    del apps.all_models["core"]["cryptotestperson"]
    apps.clear_cache()


@pytest.fixture
def person_table(transactional_db, person_model):
    # The SQLite schema editor refuses to run inside the test transaction, hence transactional_db.
    with connection.schema_editor() as editor:
        editor.create_model(person_model)
    yield person_model
    with connection.schema_editor() as editor:
        editor.delete_model(person_model)


def raw_values(model, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


# ── Keys ─────────────────────────────────────────────────────────────────────────────────────


def test_key_file_is_created_once_private_and_reused(key_file):
    token = encrypt("秘密")
    assert key_file.stat().st_mode & 0o777 == 0o600
    data = json.loads(key_file.read_text())
    assert data["current"] == "k1" and set(data["keys"]) == {"k1"}
    crypto.clear_key_cache()  # a new process reads the same file
    assert decrypt(token) == "秘密"
    assert json.loads(key_file.read_text()) == data


def test_no_keys_and_no_autocreate_refuses(settings, key_file):
    settings.SAFESTAR_KEYS_AUTOCREATE = False
    with pytest.raises(ImproperlyConfigured, match="未配置字段加密密钥"):
        encrypt("x")
    assert not key_file.exists()


def test_keys_from_environment_win_over_the_file(settings, key_file):
    settings.SAFESTAR_FIELD_KEYS = ENV_KEYS
    assert encrypt("x").startswith("k2:")
    assert crypto.keyring().source == "env"
    assert not key_file.exists()


@pytest.mark.parametrize(
    "config, message",
    [
        ("not json", "应为 JSON"),
        (json.dumps({"current": "k1", "keys": {"k1": b64(1)}}), "应为 JSON"),
        (json.dumps({"current": "k9", "keys": {"k1": b64(1)}, "hmac": b64(3)}), "不在 keys 中"),
        (json.dumps({"current": "k1", "keys": {"k1": "短"}, "hmac": b64(3)}), "base64"),
        (json.dumps({"current": "k1", "keys": {"k1": base64.b64encode(b"1" * 16).decode()}, "hmac": b64(3)}), "32 字节"),
        (json.dumps({"current": "k:1", "keys": {"k:1": b64(1)}, "hmac": b64(3)}), "只能由"),
    ],
)
def test_bad_key_configuration_is_refused_with_a_reason(settings, config, message):
    settings.SAFESTAR_FIELD_KEYS = config
    with pytest.raises(ImproperlyConfigured, match=message):
        encrypt("x")


# ── Encrypt, decrypt, hash ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("text", ["11010519491231002X", "张三丰", "A1b2C3d4", " 空格 ", "长" * 5000])
def test_round_trip_through_the_field(text):
    field = EncryptedTextField()
    stored = field.get_prep_value(text)
    assert stored.startswith("k1:")
    assert text not in stored
    assert stored != field.get_prep_value(text)  # a fresh nonce every time
    assert field.from_db_value(stored, None, connection) == text


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_values_are_stored_as_is(empty):
    field = EncryptedTextField()
    assert field.get_prep_value(empty) == empty
    assert field.from_db_value(empty, None, connection) == empty


def _flip(token, index):
    key_id, body = token.split(":")
    raw = bytearray(base64.b64decode(body))
    raw[index] ^= 1
    return f"{key_id}:{base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize(
    "tamper, message",
    [
        (lambda t: _flip(t, 0), "被篡改"),  # nonce
        (lambda t: _flip(t, 14), "被篡改"),  # ciphertext
        (lambda t: _flip(t, -1), "被篡改"),  # tag
        (lambda t: t[:-8], "被篡改"),  # truncated
        (lambda t: t.split(":")[0] + ":" + "!!!", "被篡改"),  # not base64
        (lambda t: "k9:" + t.split(":")[1], "未知的密钥编号"),
        (lambda t: t.split(":")[1], "缺少密钥编号"),
    ],
)
def test_tampered_or_unknown_tokens_raise(tamper, message):
    token = encrypt("410102199001011234")
    with pytest.raises(DecryptionError, match=message):
        decrypt(tamper(token))


def test_token_cannot_be_relabelled_to_another_key(settings):
    settings.SAFESTAR_FIELD_KEYS = ENV_KEYS
    token = encrypt("x")
    with pytest.raises(DecryptionError, match="被篡改"):
        decrypt("k1:" + token.split(":")[1])


def test_unknown_key_id_reloads_the_key_file_once(key_file):
    """Another process rotated the keys: this one must still read rows under the new key."""
    encrypt("x")  # loads and caches k1 only
    data = json.loads(key_file.read_text())
    data["keys"]["k2"] = b64(7)
    data["current"] = "k2"
    key_file.write_text(json.dumps(data))
    other = crypto.parse_keys(json.dumps(data), "file")
    nonce = b"\0" * 12
    token = "k2:" + base64.b64encode(nonce + other.aead("k2").encrypt(nonce, b"new", b"k2")).decode()
    assert decrypt(token) == "new"


@pytest.mark.parametrize(
    "a, b",
    [
        ("11010519491231002x", "11010519491231002X"),
        (" 11010519491231002X\n", "11010519491231002X"),
        ("138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits from a Chinese input method
    ],
)
def test_keyed_hash_normalises(a, b):
    assert keyed_hash(a) == keyed_hash(b)
    assert len(keyed_hash(a)) == 64 and int(keyed_hash(a), 16) >= 0


def test_keyed_hash_depends_on_the_key_and_the_value(settings):
    first = keyed_hash("13812345678")
    assert keyed_hash("13812345679") != first
    settings.SAFESTAR_FIELD_KEYS = ENV_KEYS
    assert keyed_hash("13812345678") != first


# ── Model fields ─────────────────────────────────────────────────────────────────────────────


def test_fields_deconstruct_for_migrations():
    name, path, args, kwargs = EncryptedTextField("身份证号", blank=True).deconstruct()
    assert path == "safestar.core.crypto.EncryptedTextField"
    assert EncryptedTextField(*args, **kwargs).blank is True
    name, path, args, kwargs = HashField(source="id_number", unique=True).deconstruct()
    assert path == "safestar.core.crypto.HashField"
    assert kwargs == {"source": "id_number", "unique": True}
    field = HashField(*args, **kwargs)
    assert (field.source, field.max_length, field.db_index, field.editable, field.null) == ("id_number", 64, True, False, True)
    _, _, _, kwargs = HashField(source="x", editable=True).deconstruct()
    assert kwargs == {"source": "x", "editable": True}


@pytest.mark.parametrize(
    "lookup, message",
    [
        ({"id_number": "11010519491231002X"}, "id_number_hash=keyed_hash"),
        ({"id_number__iexact": "x"}, "id_number_hash=keyed_hash"),
        ({"id_number__in": ["x"]}, "加密字段"),
        ({"id_number__startswith": "1101"}, "加密字段"),
        ({"phone__contains": "138"}, "HashField\\(source='phone'\\)"),
        ({"phone__lower": "x"}, "加密字段"),
    ],
)
def test_filtering_by_value_raises_and_points_to_the_hash(person_model, lookup, message):
    with pytest.raises(FieldError, match=message):
        person_model.objects.filter(**lookup)


@pytest.mark.parametrize("lookup", [{"id_number__isnull": True}, {"id_number": None}, {"phone": ""}])
def test_empty_checks_are_allowed(person_model, lookup):
    assert str(person_model.objects.filter(**lookup).query)


def test_database_holds_tokens_and_hashes_stay_in_sync(person_table):
    Person = person_table
    Person.objects.create(name="a", id_number="11010519491231002x", phone="13812345678")
    Person.objects.bulk_create([Person(name="b", id_number=None, phone=""), Person(name="c", id_number="", phone="")])
    raw = raw_values(Person, "id_number") + raw_values(Person, "phone")
    assert raw[0].startswith("k1:") and "1101051949" not in raw[0]
    assert raw[3].startswith("k1:") and "13812345678" not in raw[3]
    assert raw[1:3] == [None, ""] and raw[4:] == ["", ""]
    assert Person.objects.get(id_number_hash=keyed_hash("11010519491231002X")).phone == "13812345678"
    assert list(Person.objects.filter(id_number_hash__isnull=True).order_by("name").values_list("name", flat=True)) == ["b", "c"]
    person = Person.objects.get(name="a")
    person.id_number = "410102199001011234"
    person.save()
    assert Person.objects.get(id_number_hash=keyed_hash("410102199001011234")).name == "a"
    assert not Person.objects.filter(id_number_hash=keyed_hash("11010519491231002X")).exists()


def test_sync_hashes_covers_paths_that_skip_pre_save(person_table):
    Person = person_table
    person = Person.objects.create(name="a", id_number="11010519491231002X")
    person.id_number = "410102199001011234"
    crypto.sync_hashes(person)
    assert person.id_number_hash == keyed_hash("410102199001011234")
    Person.objects.bulk_update([person], ["id_number", "id_number_hash"])
    assert Person.objects.get(id_number_hash=keyed_hash("410102199001011234")).id_number == "410102199001011234"


# ── Rotation ─────────────────────────────────────────────────────────────────────────────────


def test_rotation_reencrypts_every_value_under_the_new_key(person_table, key_file):
    Person = person_table
    Person.objects.create(name="a", id_number="11010519491231002X", phone="13812345678")
    Person.objects.create(name="b", id_number=None, phone="0370-1234567")
    hash_before = keyed_hash("11010519491231002X")
    old_tokens = raw_values(Person, "id_number") + raw_values(Person, "phone")

    assert crypto.rotate_keys(batch_size=1)["core.CryptoTestPerson"] == 3

    data = json.loads(key_file.read_text())
    assert data["current"] == "k2" and set(data["keys"]) == {"k1", "k2"}
    assert key_file.stat().st_mode & 0o777 == 0o600
    tokens = raw_values(Person, "id_number") + raw_values(Person, "phone")
    assert [t[:3] if t else t for t in tokens] == ["k2:", None, "k2:", "k2:"]
    assert [decrypt(t) for t in old_tokens if t] == ["11010519491231002X", "13812345678", "0370-1234567"]
    assert list(Person.objects.order_by("name").values_list("id_number", "phone")) == [
        ("11010519491231002X", "13812345678"),
        (None, "0370-1234567"),
    ]
    assert keyed_hash("11010519491231002X") == hash_before
    assert Person.objects.get(id_number_hash=hash_before).name == "a"

    # A re-run without a new key finds nothing left to do; with one, it moves everything again.
    assert crypto.rotate_keys(new_key=False)["core.CryptoTestPerson"] == 0
    assert raw_values(Person, "phone") == tokens[2:]
    assert crypto.rotate_keys()["core.CryptoTestPerson"] == 3
    assert json.loads(key_file.read_text())["current"] == "k3"


def test_rotation_refuses_keys_from_the_environment(settings, key_file):
    settings.SAFESTAR_FIELD_KEYS = ENV_KEYS
    with pytest.raises(ImproperlyConfigured, match="--no-new-key"):
        crypto.rotate_keys()
    assert not key_file.exists()


def test_keys_commands(person_table, key_file):
    person_table.objects.create(name="a", id_number="11010519491231002X", phone="13812345678")
    out = StringIO()
    call_command("keys", "status", stdout=out)
    assert "当前密钥：k1" in out.getvalue() and "密钥数量：1" in out.getvalue()
    out = StringIO()
    call_command("keys", "rotate", stdout=out)
    assert "已生成新密钥 k2" in out.getvalue()
    assert "core.CryptoTestPerson：重新加密 2 个值" in out.getvalue()
    out = StringIO()
    call_command("keys", "status", stdout=out)
    text = out.getvalue()
    assert "当前密钥：k2" in text and "密钥数量：2" in text
    for secret in json.loads(key_file.read_text())["keys"].values():
        assert secret not in text


def test_keys_rotate_command_explains_environment_keys(db, settings):
    settings.SAFESTAR_FIELD_KEYS = ENV_KEYS
    with pytest.raises(CommandError, match="环境变量 SAFESTAR_FIELD_KEYS"):
        call_command("keys", "rotate", stdout=StringIO())
