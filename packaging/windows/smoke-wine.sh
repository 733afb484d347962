#!/usr/bin/env bash
# Runs the Windows build's command line under Wine: --help, demo, check, bundle export and
# import. `bash packaging/windows/smoke-wine.sh path/to/dripline.exe` (installs wine if missing).
set -euo pipefail
EXE=$(realpath "$1")
command -v wine >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine wine64; }
export WINEPREFIX=${WINEPREFIX:-$(mktemp -d)/wine}
export WINEDEBUG=-all
W=$(mktemp -d)
wine wineboot --init >/dev/null 2>&1 || true
# Wine 8 has no bcryptprimitives.dll (ProcessPrng, used by Rust's std): a test-only stand-in.
if ! wine cmd /c "if exist C:\\windows\\system32\\bcryptprimitives.dll echo yes" 2>/dev/null | grep -q yes; then
    x86_64-w64-mingw32-gcc -O2 -shared -o "$W/bcryptprimitives.dll" \
        "$(dirname "$0")/wine-shim/bcryptprimitives.c" -ladvapi32
    cp "$W/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
fi
WW=$(winepath -w "$W")   # the same folder as Windows sees it (Z:\tmp\...)
run() { echo "+ dripline $*" >&2; wine "$EXE" "$@"; }
run --help | grep demo >/dev/null
run demo --out "$WW\\demo.sqlite"
run check --db "$WW\\demo.sqlite" > "$W/check.txt"
test -s "$W/check.txt"
# Bundles with Windows paths: the village's bundle, encrypted to a new county, imported there.
run county init --out "$WW\\county.sqlite" --county-code 510824 > "$W/county.txt"
COUNTY_KEY=$(grep -o 'dripline-county:[^ ]*' "$W/county.txt" | head -n1 | tr -d '\r')
run keys set-county --db "$WW\\demo.sqlite" "$COUNTY_KEY"
DEVICE=$(wine "$EXE" keys show --db "$WW\\demo.sqlite" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["device"])')
run bundle export --db "$WW\\demo.sqlite" --out "$WW\\village.dripline" --full
CODE=$(wine "$EXE" bundle inspect "$WW\\village.dripline" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["village_code"])')
run keys register-device --db "$WW\\county.sqlite" --village "$CODE" "$DEVICE"
run bundle import --db "$WW\\county.sqlite" "$WW\\village.dripline" --json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r[0]["records_inserted"] > 12, r'
run bundle status --db "$WW\\demo.sqlite"
echo "wine smoke test: passed"
