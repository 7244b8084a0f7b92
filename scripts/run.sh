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
echo ">> SafeStar 已启动：http://127.0.0.1:8000 （Ctrl+C 停止）；后台任务进程 PID $WORKER"
.venv/bin/gunicorn safestar.wsgi --bind "${SAFESTAR_BIND:-127.0.0.1:8000}" --workers 2 --access-logfile -
