#!/usr/bin/env bash
# Tests the .deb that build-deb.sh made: `bash packaging/linux/test-deb.sh [FILE.deb]`
#
#  1. layout and metadata with dpkg-deb: name, version A.B.C.D, architecture, Depends, no
#     maintainer scripts, every file under /opt/apps/<appid>/, the desktop entry, icons at
#     16..512, the info JSON;
#  2. `apt install ./FILE.deb` into a clean Debian root made by debootstrap (kept under
#     <target>/deb-test/pristine, so that later runs start from a copy in seconds);
#  3. the installed program's `--help` and `demo`;
#  4. the window started under Xvfb from the installed .desktop entry's Exec line, and seen on
#     the X display;
#  5. `apt-get purge`, after which nothing is left under /opt/apps/<appid>.
# Needs root (chroot, mounts). Installs debootstrap, xvfb and x11-utils on the host when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

APPID=cn.dripline.app
TARGET_DIR=$(realpath -m "${CARGO_TARGET_DIR:-target}")
SUITE=${DEB_TEST_SUITE:-bookworm}
WORK="$TARGET_DIR/deb-test"
PRISTINE="$WORK/pristine-$SUITE"

need_host() {
    local missing=()
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v Xvfb >/dev/null || missing+=(xvfb)
    command -v xwininfo >/dev/null || missing+=(x11-utils)
    if ((${#missing[@]})); then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# The clean Debian root, made once by debootstrap and kept. `test-deb.sh --prepare-root` makes
# only this (CI runs it in the background while the tests build: it is download time, not CPU).
prepare_root() {
    need_host
    MIRROR=${DEB_TEST_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)}
    [[ -n "$MIRROR" ]] || MIRROR=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
    mkdir -p "$WORK/apt-archives"
    if [[ ! -d "$PRISTINE" ]]; then
        echo "== debootstrap $SUITE (once; cached in $PRISTINE)"
        rm -rf "$PRISTINE.tmp"
        debootstrap --variant=minbase "$SUITE" "$PRISTINE.tmp" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
            || { tail -n 20 "$WORK/debootstrap.log" >&2; exit 1; }
        cp /etc/resolv.conf "$PRISTINE.tmp/etc/resolv.conf"
        chroot "$PRISTINE.tmp" apt-get update -qq
        mv "$PRISTINE.tmp" "$PRISTINE"
    fi
}

if [[ "${1:-}" == --prepare-root ]]; then
    mkdir -p "$WORK"
    prepare_root
    exit 0
fi

DEB=${1:-$(ls -t "$TARGET_DIR"/packages/${APPID}_*.deb 2>/dev/null | head -n1)}
[[ -f "$DEB" ]] || { echo "test-deb: no .deb (run packaging/linux/build-deb.sh first)" >&2; exit 1; }
DEB=$(realpath "$DEB")
ROOT="$WORK/root"
FAILS=0
step() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
check() { local what=$1; shift; if "$@"; then echo "ok: $what"; else fail "$what"; fi; }

# ---- 1. Layout and metadata.
step "layout of $(basename "$DEB") ($(du -h "$DEB" | cut -f1))"
INFO=$(dpkg-deb --info "$DEB")
field() { dpkg-deb --field "$DEB" "$1"; }
check "package name is the appid" test "$(field Package)" = "$APPID"
check "version is MAJOR.MINOR.PATCH.BUILD" grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' <<<"$(field Version)"
check "architecture is this machine's" test "$(field Architecture)" = "$(dpkg --print-architecture)"
for lib in libssl3 libgl1 libegl1 libx11-6 libxcursor1 libxi6 libxkbcommon-x11-0 libwayland-client0; do
    check "Depends names $lib" grep -Eq "(^|, )$lib( |,|$)" <<<"$(field Depends)"
done
CONTROL_FILES=$(dpkg-deb --ctrl-tarfile "$DEB" | tar -t | sed 's|^\./||' | grep -v '^$' | sort | tr '\n' ' ')
check "no maintainer scripts (control members: $CONTROL_FILES)" \
    bash -c '! grep -Eq "(^| )(preinst|postinst|prerm|postrm|config|triggers)( |$)" <<<"$1"' _ "$CONTROL_FILES"
CONTENTS=$(dpkg-deb --contents "$DEB" | awk '{print $6}' | sed 's|^\./|/|')
OUTSIDE=$(grep -v -E "^/(opt/?|opt/apps/?|opt/apps/$APPID(/.*)?)?$" <<<"$CONTENTS" || true)
check "every file under /opt/apps/$APPID/${OUTSIDE:+ (outside: $OUTSIDE)}" test -z "$OUTSIDE"
A=/opt/apps/$APPID
for f in "$A/info" "$A/files/bin/dripline" "$A/entries/applications/$APPID.desktop"; do
    check "has $f" grep -qx "$f" <<<"$CONTENTS"
done
for size in 16 24 32 48 64 128 256 512; do
    check "icon ${size}x${size}" grep -qx "$A/entries/icons/hicolor/${size}x${size}/apps/$APPID.png" <<<"$CONTENTS"
done
EXTRACT=$(mktemp -d)
trap 'rm -rf "$EXTRACT"' EXIT
dpkg-deb -x "$DEB" "$EXTRACT"
check "info is JSON with appid, name, version, arch, permissions" python3 - "$EXTRACT$A/info" "$APPID" "$(field Version)" <<'EOF'
import json, sys
info = json.load(open(sys.argv[1], encoding="utf-8"))
assert info["appid"] == sys.argv[2], info
assert info["version"] == sys.argv[3], info
assert info["name"] and isinstance(info["arch"], list) and isinstance(info["permissions"], dict), info
EOF
DESKTOP="$EXTRACT$A/entries/applications/$APPID.desktop"
check "desktop entry runs the installed program" grep -qx "Exec=$A/files/bin/dripline" "$DESKTOP"
check "desktop entry names the icon by appid" grep -qx "Icon=$APPID" "$DESKTOP"
for size in 16 256 512; do
    check "icon $size is a ${size}x${size} PNG" python3 - "$EXTRACT$A/entries/icons/hicolor/${size}x${size}/apps/$APPID.png" "$size" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read(24)
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
assert struct.unpack(">II", data[16:24]) == (int(sys.argv[2]),) * 2, struct.unpack(">II", data[16:24])
EOF
done

# ---- 2. Install into a clean root.
prepare_root

MOUNTS=()
cleanup() {
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[$i]}" 2>/dev/null || true; done
    [[ -n "${XVFB_PID:-}" ]] && kill "$XVFB_PID" 2>/dev/null || true
    # --one-file-system: never into a bind mount (/dev, /sys) that failed to come off.
    rm -rf "$EXTRACT"
    rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT
rm -rf --one-file-system "$ROOT"
cp -a --reflink=auto "$PRISTINE" "$ROOT"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
for m in proc sys dev; do
    mount --rbind "/$m" "$ROOT/$m" && MOUNTS+=("$ROOT/$m")
done
mount --bind "$WORK/apt-archives" "$ROOT/var/cache/apt/archives" && MOUNTS+=("$ROOT/var/cache/apt/archives")
in_root() { chroot "$ROOT" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

step "apt install ./$(basename "$DEB") in a clean $SUITE root"
cp "$DEB" "$ROOT/tmp/"
if in_root bash -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/$(basename "$DEB")" >"$WORK/apt-install.log" 2>&1; then
    echo "ok: installed ($(grep -c '^Setting up' "$WORK/apt-install.log") packages set up)"
else
    tail -n 30 "$WORK/apt-install.log" >&2
    fail "apt install"
    exit 1
fi
BIN=$A/files/bin/dripline

# ---- 3. The installed program, headless.
step "installed --help and demo"
check "--help" bash -c 'in_root() { chroot "$1" env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 "${@:2}"; }; in_root "$1" "$2" --help | grep -q "demo"' _ "$ROOT" "$BIN"
check "demo writes a database" in_root "$BIN" demo --out /root/demo.db
check "check reads it" bash -c 'chroot "$1" env -i HOME=/root PATH=/usr/bin:/bin "$2" check --db /root/demo.db >/dev/null' _ "$ROOT" "$BIN"
# SQLCipher with the libcrypto that Depends brought (libssl3): an encrypted demo, read back.
check "encrypted demo (libssl3)" in_root env DRIPLINE_PASSPHRASE=ci-passphrase-1 "$BIN" demo --out /root/encrypted.db
check "encrypted file has no SQLite header" bash -c '! head -c 15 "$1/root/encrypted.db" | grep -q "SQLite format 3"' _ "$ROOT"
check "check reads it with the passphrase" in_root env DRIPLINE_PASSPHRASE=ci-passphrase-1 "$BIN" check --db /root/encrypted.db

# ---- 4. The window, from the installed desktop entry.
step "window under Xvfb from the .desktop Exec line"
EXEC=$(sed -n 's/^Exec=//p' "$ROOT$A/entries/applications/$APPID.desktop" | head -n1)
EXEC=${EXEC%% %*}
DISPLAY_NUM=$((90 + RANDOM % 100))
mkdir -p "$ROOT/tmp/.X11-unix"
Xvfb ":$DISPLAY_NUM" -screen 0 1366x768x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do [[ -S /tmp/.X11-unix/X$DISPLAY_NUM ]] && break; sleep 0.1; done
mount --bind /tmp/.X11-unix "$ROOT/tmp/.X11-unix" && MOUNTS+=("$ROOT/tmp/.X11-unix")
chroot "$ROOT" env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 DISPLAY=":$DISPLAY_NUM" \
    XDG_RUNTIME_DIR=/tmp $EXEC >"$WORK/window.log" 2>&1 &
APP_PID=$!
SEEN=""
for _ in $(seq 60); do
    if xwininfo -display ":$DISPLAY_NUM" -root -tree 2>/dev/null | grep -q "Dripline"; then SEEN=yes; break; fi
    kill -0 "$APP_PID" 2>/dev/null || break
    sleep 0.5
done
sleep 1
if [[ -n "$SEEN" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    echo "ok: the window $(xwininfo -display ":$DISPLAY_NUM" -root -tree | grep -o '"Dripline[^"]*"' | head -n1) is up"
    if command -v import >/dev/null && [[ -n "${DEB_TEST_SCREENSHOT:-}" ]]; then
        DISPLAY=":$DISPLAY_NUM" import -window root "$DEB_TEST_SCREENSHOT"
    fi
else
    tail -n 20 "$WORK/window.log" >&2
    fail "window did not come up"
fi
kill "$APP_PID" 2>/dev/null || true
wait "$APP_PID" 2>/dev/null || true

# ---- 5. Removal.
step "apt-get purge"
in_root bash -c "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $APPID" >"$WORK/apt-purge.log" 2>&1 || fail "purge"
check "nothing left under /opt/apps/$APPID" test ! -e "$ROOT$A"
check "dpkg no longer knows it" bash -c '! chroot "$1" dpkg -s "$2" >/dev/null 2>&1' _ "$ROOT" "$APPID"

if ((FAILS)); then
    echo "test-deb: $FAILS check(s) failed" >&2
    exit 1
fi
echo "test-deb: all checks passed"
