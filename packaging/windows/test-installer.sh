#!/usr/bin/env bash
# Tests the NSIS installer under Wine: silent install for the user, the program and its Start
# menu entries in place, the program runs from there, then the uninstaller removes the program,
# the entries and the Apps & features key, and leaves the user's data.
#   bash packaging/windows/test-installer.sh target/packages/dripline-<version>-setup.exe
set -euo pipefail
SETUP=$(realpath "$1")
export WINEPREFIX=${WINEPREFIX:-$(mktemp -d)/wine}
export WINEDEBUG=-all
wine wineboot --init >/dev/null 2>&1 || true
DIR="$(dirname "$0")"
if [[ ! -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]]; then
    x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
        "$DIR/wine-shim/bcryptprimitives.c" -ladvapi32
fi
win_env() { wine cmd /c "echo %$1%" 2>/dev/null | tr -d '\r'; }
unix() { winepath -u "$1" 2>/dev/null; }
LOCAL=$(unix "$(win_env LOCALAPPDATA)")
APPDATA_U=$(unix "$(win_env APPDATA)")
INST="$LOCAL/Programs/Dripline"
MENU="$APPDATA_U/Microsoft/Windows/Start Menu/Programs/Dripline"
fail() { echo "FAIL: $*" >&2; exit 1; }

wine "$SETUP" /S
wineserver -w
[[ -f "$INST/dripline.exe" ]] || fail "dripline.exe not installed in $INST"
[[ -f "$INST/uninstall.exe" ]] || fail "no uninstaller"
[[ -f "$MENU/精准扶贫 · 村级工作台.lnk" ]] || fail "no Start menu entry in $MENU"
[[ -f "$MENU/卸载 Uninstall Dripline.lnk" ]] || fail "no uninstall entry in the Start menu"
wine reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Dripline' /v DisplayName >/dev/null \
    || fail "not listed in Apps & features"
echo "ok: installed, Start menu entries and Apps & features key"

# The user's data, where the window keeps them (%APPDATA%\dripline\Dripline\data).
DATA="$APPDATA_U/dripline/Dripline/data"
mkdir -p "$DATA"
wine "$INST/dripline.exe" demo --out "$(winepath -w "$DATA")\\dripline.sqlite" >/dev/null
[[ -s "$DATA/dripline.sqlite" ]] || fail "the installed program did not write its data"
echo "ok: the installed program runs"

wine "$INST/uninstall.exe" /S
wineserver -w
sleep 2
[[ ! -e "$INST/dripline.exe" ]] || fail "dripline.exe left after uninstall"
[[ ! -e "$MENU" ]] || fail "Start menu folder left after uninstall"
if wine reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Dripline' >/dev/null 2>&1; then
    fail "Apps & features key left after uninstall"
fi
[[ -s "$DATA/dripline.sqlite" ]] || fail "the uninstaller removed the user's data"
echo "ok: uninstalled; the data in %APPDATA%\\dripline stay"
echo "installer test: passed"
