# Sourced by run.sh and test.sh: make ./.venv with Python >= 3.12 and install the pinned packages.
# Usage: . scripts/venv.sh requirements.txt
set -euo pipefail

find_python() {
    local candidate
    for candidate in python3.13 python3.12 python3.14 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
            command -v "$candidate"; return 0
        fi
    done
    # pyenv keeps other versions out of the PATH's shims until selected: look for them directly.
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9]; do
        if [ -x "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    PYTHON=$(find_python) || { echo "错误：需要 Python 3.12 或更高版本（python3.12 / python3.13），本机没有找到。" >&2; exit 1; }
    echo ">> 用 $PYTHON 创建虚拟环境 .venv"
    rm -rf .venv
    "$PYTHON" -m venv .venv
fi
# pip's own check that everything is installed takes 10–20 s; it is skipped while the requirements
# and pyproject.toml are the ones last installed from (their checksums, kept in .venv).
stamp=".venv/installed-$(basename "$1").sha256"
sums=$(cat requirements*.txt pyproject.toml | sha256sum)
if [ "$(cat "$stamp" 2>/dev/null)" != "$sums" ]; then
    echo ">> 安装固定版本的依赖（$1）"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$1"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
    echo "$sums" > "$stamp"
fi
