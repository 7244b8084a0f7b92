"""`safestar backup` / `safestar restore` (等保2.0「数据备份恢复」), on whichever database runs the
tests: a round trip brings back the data and an intact audit chain, and every refusal changes nothing.

Backup and restore work on committed data, so these tests use transactional_db."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import build_world
from safestar.audit.chain import checkpoint, read_checkpoints
from safestar.audit.log import record, verify
from safestar.audit.models import AuditEvent
from safestar.core.backup import checkpoint_path
from safestar.org.models import Division, User
from safestar.schemes.cache import generation

OTHER_KIND = {"sqlite": b"PGDMP\x01\x0e\x00", "postgresql": b"SQLite format 3\x00"}


@pytest.fixture
def data(transactional_db):
    build_world()
    for i in range(3):
        record("update", object_repr=f"备份前的事件{i}", changes={"n": [i, i + 1]})


@pytest.fixture
def no_tty(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def state():
    return {
        "divisions": sorted(Division.objects.values_list("code", "name")),
        "users": sorted(User.objects.values_list("username", flat=True)),
        "events": list(AuditEvent.objects.order_by("id").values_list("id", "action", "object_repr", "hash")),
    }


def change_data():
    division = Division.objects.get(code="411422100000")
    division.name = "改名后的镇"
    division.save()
    User.objects.create(username="after_backup", role=User.objects.first().role, division=division)
    record("update", division, object_repr="备份后的事件")


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_round_trip_restores_the_data_and_an_intact_audit_chain(data, tmp_path):
    path = tmp_path / "safestar.backup"
    generation()  # its row, as a migrated database has it (a transactional test's flush removed it)
    output = run("backup", str(path))
    assert f"已备份数据库到 {path}（" in output and "字节）" in output
    assert path.read_bytes().startswith({"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}[connection.vendor])
    # no temporary file left behind; next to the backup, the audit checkpoint of what it holds
    assert sorted(tmp_path.iterdir()) == [path, checkpoint_path(path)]
    # The backup event was recorded before the copy, so the copy holds it.
    last = AuditEvent.objects.order_by("-id").first()
    assert (last.action, last.object_repr) == ("export", f"数据库备份：{path}")
    assert f"审计链检查点：{last.pk}:{last.hash}" in output
    assert [c[:2] for c in read_checkpoints(checkpoint_path(path))] == [(last.pk, last.hash)]
    assert [c[:2] for c in read_checkpoints()] == [(last.pk, last.hash)]  # and in the checkpoint file
    at_backup = state()

    change_data()
    checkpoint()  # a checkpoint of events the restore takes away again
    assert state() != at_backup
    before = generation()

    output = run("restore", str(path), "--yes")
    # the data's generation jumps past every count reached before the restore: pages and results kept
    # under those counts (core/pages.py, schemes/cache.py) are never used for the restored data
    assert generation() > before + 2**39
    assert f"已从 {path} 恢复数据库。" in output
    restored = state()
    assert restored["divisions"] == at_backup["divisions"] and "after_backup" not in restored["users"]
    assert restored["users"] == at_backup["users"]
    assert restored["events"][:-1] == at_backup["events"]
    assert restored["events"][-1][1:3] == ("import", f"数据库恢复：{path}")
    count, bad_id, reason = verify()
    assert (bad_id, reason) == (None, "") and count == len(restored["events"])
    assert f"审计链完整：共校验 {count} 条事件。" in output
    # The restored database is fully usable: the chain goes on from the restored events.
    record("update", object_repr="恢复后的事件")
    assert verify()[1] is None


def test_a_restore_that_does_not_reach_the_backups_checkpoint_is_reported(data, tmp_path):
    """The checkpoint next to the backup vouches for the head the backup held: a backup file whose
    chain was cut short after it was written is restored, but the operator is warned."""
    import json

    path = tmp_path / "safestar.backup"
    run("backup", str(path))
    side = checkpoint_path(path)
    line = json.loads(side.read_text())
    side.write_text(json.dumps({**line, "id": line["id"] + 1000}) + "\n")  # as if events were cut off the copy
    output = run("restore", str(path), "--yes")
    assert "警告：恢复后的审计链损坏" in output and "末尾的事件被删除" in output and side.name in output


def test_restore_without_yes_changes_nothing(data, tmp_path, no_tty):
    path = tmp_path / "safestar.backup"
    run("backup", str(path))
    change_data()
    before = state()
    with pytest.raises(CommandError, match="请加 --yes 确认；未做任何更改"):
        run("restore", str(path))
    assert state() == before


def test_a_file_of_the_wrong_kind_is_refused(data, tmp_path):
    path = tmp_path / "other.backup"
    path.write_bytes(OTHER_KIND[connection.vendor] + b"\x00" * 100)
    before = state()
    with pytest.raises(CommandError, match="不是.*不能恢复到当前的"):
        run("restore", str(path), "--yes")
    with pytest.raises(CommandError, match="备份文件 .* 不存在"):
        run("restore", str(tmp_path / "missing.backup"), "--yes")
    assert state() == before


def test_an_existing_target_is_kept_unless_forced(data, tmp_path):
    path = tmp_path / "safestar.backup"
    path.write_bytes(b"an earlier backup")
    before = state()
    with pytest.raises(CommandError, match="已存在；如需覆盖请加 --force"):
        run("backup", str(path))
    assert path.read_bytes() == b"an earlier backup"
    assert state() == before  # refused before the audit event

    run("backup", str(path), "--force")
    assert path.read_bytes() != b"an earlier backup"
    assert sorted(tmp_path.iterdir()) == [path, checkpoint_path(path)]


def test_a_failed_backup_leaves_no_file(data, tmp_path, monkeypatch):
    def fail(fd):
        raise OSError("磁盘已满")

    monkeypatch.setattr("safestar.core.backup.os.fsync", fail)
    path = tmp_path / "safestar.backup"
    with pytest.raises(OSError, match="磁盘已满"):
        run("backup", str(path))
    assert list(tmp_path.iterdir()) == []


def test_pg_dump_missing_or_failing_is_explained(data, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is only used with PostgreSQL")
    target = tmp_path / "backups"
    target.mkdir()
    monkeypatch.setattr("safestar.core.backup.shutil.which", lambda name: None)
    with pytest.raises(CommandError, match="找不到 pg_dump 命令：请安装 PostgreSQL 客户端"):
        run("backup", str(target / "safestar.backup"))

    # A pg_dump that writes half a file and fails: its stderr is shown, the half file is gone.
    fake = tmp_path / "pg_dump"
    fake.write_text('#!/bin/sh\nfor a; do case "$a" in --file=*) echo half > "${a#--file=}";; esac; done\n'
                    'echo "pg_dump: error: 连接中断" >&2\nexit 1\n')
    fake.chmod(0o755)
    monkeypatch.setattr("safestar.core.backup.shutil.which", lambda name: str(fake))
    with pytest.raises(CommandError, match="pg_dump 执行失败（退出码 1）：pg_dump: error: 连接中断"):
        run("backup", str(target / "safestar.backup"))
    assert list(target.iterdir()) == []
