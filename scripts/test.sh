#!/usr/bin/env bash
# One command for the whole test suite, browser tests included: Debian's chromium, CJK fonts and
# pg_dump (backup tests),
# the virtual environment with the pinned test packages, then pytest. The database is SQLite
# unless DATABASE_URL names another (e.g. postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in chromium fonts-noto-cjk libharfbuzz-subset0 postgresql-client; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo ">> 安装系统软件包：${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
. scripts/venv.sh requirements-test.txt
export SAFESTAR_VAR="${SAFESTAR_VAR:-$(mktemp -d)}"
echo ">> 运行测试（数据库：${DATABASE_URL:-SQLite}）"
exec .venv/bin/python -m pytest -n 2 "$@"
