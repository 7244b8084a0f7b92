#!/usr/bin/env bash
# One command for the whole test suite, browser tests included: Debian's chromium, CJK fonts and
# pg_dump (backup tests), pdftoppm (PDF pages rendered to images), the virtual environment with the pinned test packages,
# the layer contract (lint-imports, pyproject.toml), then pytest (cores + 1 workers), printing the 25 slowest tests. The database is SQLite
# unless DATABASE_URL names another (e.g. postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/packages.sh chromium fonts-noto-cjk libharfbuzz-subset0 postgresql-client poppler-utils
. scripts/venv.sh requirements-test.txt
export SAFESTAR_VAR="${SAFESTAR_VAR:-$(mktemp -d)}"
# Python may keep the compiled modules (and pytest its rewritten test modules) in __pycache__: where the
# machine turns that off (PYTHONDONTWRITEBYTECODE), every xdist worker and every `python -m safestar` a test
# starts would compile the whole project again (about 10 s a process on the 2-core CI machine).
unset PYTHONDONTWRITEBYTECODE
echo ">> 检查分层（lint-imports）"
.venv/bin/lint-imports --no-cache --no-logo
echo ">> 运行测试（数据库：${DATABASE_URL:-SQLite}）"
# One xdist worker more than there are cores: about a tenth of a worker's time is spent waiting (the
# browser, a subprocess, PostgreSQL), which the extra worker fills (DEVELOPERS.md "时间预算").
exec .venv/bin/python -m pytest -n "$(( $(nproc) + 1 ))" --durations=25 "$@"
