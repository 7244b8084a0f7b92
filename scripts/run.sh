#!/usr/bin/env bash
# One command on a fresh machine: virtual environment, pinned packages, SQLite database in ./var,
# demo data, and the system served on http://127.0.0.1:8000 (gunicorn + WhiteNoise) with its background worker.
set -euo pipefail
cd "$(dirname "$0")/.."
# CJK fonts for the Word/PDF documents (WeasyPrint subsets them with harfbuzz).
. scripts/packages.sh fonts-noto-cjk libharfbuzz-subset0
. scripts/venv.sh requirements.txt
export SAFESTAR_DEMO=1   # shows the demo banner on every page
.venv/bin/safestar migrate --noinput
.venv/bin/safestar collectstatic --noinput --verbosity 0
.venv/bin/safestar demo
# The background worker (imports, reports, scheduled cleanup) runs beside the web server and stops with it.
.venv/bin/safestar worker --no-reload --verbosity 0 &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null; wait "$WORKER" 2>/dev/null' EXIT INT TERM
# Web workers from the core count (gunicorn's 2 × cores + 1): a request is mostly Python on one core, the extra
# workers cover the time others wait on the database or on a document. One thread each: threads measured slower
# (they contend for the GIL; `bench pages --threads`); see docs/architecture.md "服务进程".
CORES=$(nproc)
WORKERS="${SAFESTAR_WORKERS:-$((2 * CORES + 1))}"
echo ">> SafeStar 已启动：http://127.0.0.1:8000 （${WORKERS} 个工作进程，Ctrl+C 停止）；后台任务进程 PID $WORKER"
.venv/bin/gunicorn safestar.wsgi --bind "${SAFESTAR_BIND:-127.0.0.1:8000}" --workers "$WORKERS" --access-logfile -
