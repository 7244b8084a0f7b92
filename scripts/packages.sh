# Sourced by run.sh and test.sh: install the Debian packages named in $@ that are missing
# (one `apt-get update`, then `apt-get install -y --no-install-recommends`).
need=()
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo ">> 安装系统软件包：${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
