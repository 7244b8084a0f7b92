"""Backing up and restoring the whole database while the system runs (等保2.0 三级「数据备份恢复」).

`safestar backup PATH` and `safestar restore PATH` are thin wrappers around `backup()` and
`restore()`. Both engines are copied with their own consistent-snapshot tools rather than by
copying files: SQLite through its online backup API (a plain file copy of a WAL database can miss
committed pages still in the -wal file, or catch a page mid-write), PostgreSQL through
pg_dump/pg_restore. For SQLite the live Django connection itself is the source and the target,
so the same code serves the database file in production and the in-memory test database.

Each backup checkpoints the audit chain (safestar/audit/chain.py): the head it contains goes to
the checkpoint file and, as `<backup>.audit-checkpoint`, next to the backup, so that a backup kept
elsewhere also proves how far the chain reached. A restore marks the checkpoint file (the chain now
ends at the restored head) and the restored chain is verified against the backup's checkpoint.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.db.backends.postgresql.client import DatabaseClient
from django.dispatch import Signal

from safestar.audit.chain import append_checkpoint, checkpoint, mark_restore
from safestar.audit.log import record

# Sent after a restore: the restored data is older than what processes may keep from it (stored
# pages and results are keyed by counts that the restore sets back).
restored = Signal()

# The first bytes of each engine's backup format, checked before anything is overwritten.
MAGIC = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}
KIND = {"sqlite": "SQLite 数据库文件", "postgresql": "pg_dump 自定义格式（--format=custom）备份文件"}


class BackupError(CommandError):
    """A backup or restore that cannot be done; the message is for the operator, in Chinese.
    A CommandError, so that the commands exit non-zero with it and need no translation."""


def _check_engine():
    if connection.vendor not in MAGIC:
        raise BackupError(f"不支持备份此类数据库：{connection.vendor}（仅支持 SQLite 和 PostgreSQL）")
    if connection.in_atomic_block:
        # Inside a transaction the audit event would not be committed before the copy, and on
        # PostgreSQL pg_restore would wait forever for the locks this very transaction holds.
        raise BackupError("不能在数据库事务中进行备份或恢复")
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        raise BackupError(f"无法连接数据库：{exc}") from exc


def backup(path, *, force=False):
    """Write a consistent copy of the whole database to `path`; return (absolute path, size).

    The copy goes to a temporary file next to `path` (same file system, mode 0600 since it holds
    every record) and is renamed into place only once complete, so a failed backup never leaves a
    half-written file that could later be mistaken for a good one.
    """
    path = Path(path).absolute()
    _check_engine()
    if path.exists() and not force:
        raise BackupError(f"目标文件 {path} 已存在；如需覆盖请加 --force")
    if not path.parent.is_dir():
        raise BackupError(f"目录 {path.parent} 不存在")
    if connection.vendor == "postgresql":
        _pg_program("pg_dump")  # fail before the audit event if the tool is missing
    # Recorded first, so that the backup itself contains the record of its taking.
    record("export", object_repr=f"数据库备份：{path}")
    # The head now is in the copy (SQLite's snapshot and pg_dump start after it was committed).
    head = checkpoint(note=f"数据库备份：{path}")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(tmp)
        else:
            _run_pg("pg_dump", "--format=custom", f"--file={tmp}")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    side = checkpoint_path(path)
    side.unlink(missing_ok=True)
    append_checkpoint(head, side)  # the head taken before the copy, so certainly inside it
    return path, path.stat().st_size


def checkpoint_path(path):
    """The audit checkpoint written next to a backup file."""
    path = Path(path)
    return path.with_name(path.name + ".audit-checkpoint")


def check_backup_file(path):
    """Refuse (with BackupError) a file that is missing or not a backup for the current engine."""
    path = Path(path).absolute()
    _check_engine()
    if not path.is_file():
        raise BackupError(f"备份文件 {path} 不存在")
    magic = MAGIC[connection.vendor]
    with open(path, "rb") as f:
        if f.read(len(magic)) != magic:
            engine = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
            raise BackupError(f"{path} 不是{KIND[connection.vendor]}，不能恢复到当前的 {engine} 数据库")
    return path


def restore(path):
    """Replace the whole content of the current database with the backup at `path`.

    All or nothing on both engines: the SQLite backup API writes the target in one transaction,
    pg_restore runs with --single-transaction. The restore is then audited in the restored chain.
    """
    path = check_backup_file(path)
    connection.close()  # no transaction or lock of ours may stand in the way (in-memory SQLite stays)
    if connection.vendor == "sqlite":
        _sqlite_restore(path)
    else:
        _run_pg("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(path))
    connection.close()  # reconnect afresh to the restored database
    restored.send(sender=restore)  # what was kept from the data as it was before (schemes/cache.py) goes
    mark_restore(path)  # the chain legitimately ends earlier now; later checkpoints no longer apply
    record("import", object_repr=f"数据库恢复：{path}")
    return path


def _sqlite_backup(tmp):
    connection.ensure_connection()
    target = sqlite3.connect(tmp)
    try:
        connection.connection.backup(target)  # one step: a single consistent snapshot
        # The copy inherits the live database's WAL mark; clear it so the backup stays one file.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def _sqlite_restore(path):
    source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"备份文件 {path} 已损坏（SQLite 完整性检查未通过），未做任何恢复")
        connection.ensure_connection()
        # Through SQLite itself, so the live WAL and other processes' connections stay coherent.
        source.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"从 {path} 恢复失败：{exc}") from exc
    finally:
        source.close()


def _pg_program(program):
    exe = shutil.which(program)
    if exe is None:
        raise BackupError(
            f"找不到 {program} 命令：请安装 PostgreSQL 客户端（Debian 上为 postgresql-client 软件包），"
            "其版本不得低于数据库服务器"
        )
    return exe


def _run_pg(program, *args):
    """Run pg_dump/pg_restore against Django's database; `args` end with any file operand."""
    settings = connection.settings_dict
    cmd = [_pg_program(program), "--no-password"]  # never wait on a password prompt
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            cmd.append(f"{option}={settings[key]}")
    cmd += [f"--dbname={settings['NAME']}", *args]
    # Django's own psql helper knows how settings map to libpq's variables (PGPASSWORD, SSL, ...).
    env = {**os.environ, **(DatabaseClient.settings_to_cmd_args_env(settings, [])[1] or {})}
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, errors="replace")
    if result.returncode != 0:
        raise BackupError(f"{program} 执行失败（退出码 {result.returncode}）：{result.stderr.strip()}")
