#!/usr/bin/env bash
# One command on a fresh machine: virtual environment, pinned packages, SQLite database in ./var,
# demo data, and the system served on http://127.0.0.1:8000 (gunicorn + WhiteNoise).
set -euo pipefail
cd "$(dirname "$0")/.."
# CJK fonts for the Word/PDF documents (WeasyPrint subsets them with harfbuzz).
. scripts/packages.sh fonts-noto-cjk libharfbuzz-subset0
. scripts/venv.sh requirements.txt
export SAFESTAR_DEMO=1   # shows the demo banner on every page
.venv/bin/safestar migrate --noinput
.venv/bin/safestar collectstatic --noinput --verbosity 0
.venv/bin/safestar demo
echo ">> SafeStar 已启动：http://127.0.0.1:8000 （Ctrl+C 停止）"
exec .venv/bin/gunicorn safestar.wsgi --bind "${SAFESTAR_BIND:-127.0.0.1:8000}" --workers 2 --access-logfile -
