#!/usr/bin/env bash
# Builds the Linux package: `bash packaging/linux/build-deb.sh` → <target>/packages/<appid>_<version>_<arch>.deb
#
# The layout is the UOS app-store one (also fine on deepin, Kylin and plain Debian):
#   /opt/apps/<appid>/info                                   appid, name, version, arch, permissions
#   /opt/apps/<appid>/files/bin/dripline                     the program (SQLite and the font inside)
#   /opt/apps/<appid>/entries/applications/<appid>.desktop   the menu entry
#   /opt/apps/<appid>/entries/icons/hicolor/<n>x<n>/apps/<appid>.png
# No maintainer scripts: installing copies files, removing deletes them. The libraries the window
# loads at run time (GL/EGL, X11, Wayland, xkbcommon) are declared in Depends so that
# `apt install ./<file>.deb` on a bare system brings them. SQLCipher (the encrypted database)
# links the system libcrypto: Depends names libssl3.
#
# Plain dpkg-deb over a staged tree (no cargo-deb: it has no notion of /opt/apps/<appid>/entries
# and would need building itself). Environment:
#   CARGO_TARGET_DIR  where cargo builds (default: target/)
#   DEB_ARCH          Debian architecture (default: this machine's; arm64 and loong64 need a Rust
#                     target and a linker for them, see packaging/README.md)
#   RUST_TARGET       cargo --target for a cross build (e.g. aarch64-unknown-linux-gnu)
#   BUILD_NUMBER      the fourth part of the version (default 1)
#   SKIP_BUILD=1      package the release binary that is already built
set -euo pipefail
cd "$(dirname "$0")/../.."

APPID=cn.dripline.app
TARGET_DIR=${CARGO_TARGET_DIR:-target}
DEB_ARCH=${DEB_ARCH:-$(dpkg --print-architecture)}
BUILD_NUMBER=${BUILD_NUMBER:-1}
CRATE_VERSION=$(sed -n 's/^version = "\([0-9.]*\)"$/\1/p' Cargo.toml | head -n1)
VERSION="${CRATE_VERSION}.${BUILD_NUMBER}"

if [[ -n "${RUST_TARGET:-}" ]]; then
    BIN="$TARGET_DIR/$RUST_TARGET/release/dripline"
    TARGET_FLAG=(--target "$RUST_TARGET")
else
    BIN="$TARGET_DIR/release/dripline"
    TARGET_FLAG=()
fi
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
    cargo build --release --locked --bin dripline "${TARGET_FLAG[@]}"
fi
[[ -x "$BIN" ]] || { echo "build-deb: no release binary at $BIN" >&2; exit 1; }

STAGE="$TARGET_DIR/deb-stage/$APPID"
rm -rf "$STAGE"
ROOT="$STAGE/opt/apps/$APPID"
mkdir -p "$STAGE/DEBIAN" "$ROOT/files/bin" "$ROOT/entries/applications"

install -m 0755 "$BIN" "$ROOT/files/bin/dripline"
for png in packaging/linux/icons/dripline-*.png; do
    size=${png##*-}
    size=${size%.png}
    dir="$ROOT/entries/icons/hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    install -m 0644 "$png" "$dir/$APPID.png"
done

# The menu entry: the repository's one, pointed at the installed program and icon.
sed -e "s|^Exec=.*|Exec=/opt/apps/$APPID/files/bin/dripline|" \
    -e '/^Icon=/d' \
    packaging/linux/dripline.desktop > "$ROOT/entries/applications/$APPID.desktop"
echo "Icon=$APPID" >> "$ROOT/entries/applications/$APPID.desktop"
chmod 0644 "$ROOT/entries/applications/$APPID.desktop"

cat > "$ROOT/info" <<EOF
{
    "appid": "$APPID",
    "name": "精准扶贫 · 村级工作台 (Dripline)",
    "version": "$VERSION",
    "arch": ["$DEB_ARCH"],
    "permissions": {
        "autostart": false,
        "notification": false,
        "trayicon": false,
        "clipboard": false,
        "account": false,
        "bluetooth": false,
        "camera": false,
        "audio_record": false,
        "installed_apps": false
    }
}
EOF
chmod 0644 "$ROOT/info"

INSTALLED_KB=$(du -sk "$STAGE/opt" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<EOF
Package: $APPID
Version: $VERSION
Architecture: $DEB_ARCH
Maintainer: Dripline <dripline@localhost>
Installed-Size: $INSTALLED_KB
Section: misc
Priority: optional
Depends: libc6 (>= 2.34), libgcc-s1, libssl3, libgl1, libegl1, libgl1-mesa-dri, libx11-6, libx11-xcb1, libxcursor1, libxi6, libxrandr2, libxkbcommon0, libxkbcommon-x11-0, libwayland-client0, libwayland-cursor0, libwayland-egl1
Recommends: xdg-utils, zenity | xdg-desktop-portal-gtk | xdg-desktop-portal-kde
Description: 精准扶贫 · 村级工作台 — village poverty-alleviation workbench
 Offline household registry (建档立卡) and precision poverty-alleviation
 workbench for village work teams: households, members, incomes, plans,
 visits, the six precisions, spreadsheets, printed cards and sync bundles
 for the county. One program; the data stay in the user's own folder.
EOF

mkdir -p "$TARGET_DIR/packages"
OUT="$TARGET_DIR/packages/${APPID}_${VERSION}_${DEB_ARCH}.deb"
dpkg-deb --root-owner-group --build "$STAGE" "$OUT" >/dev/null
echo "$OUT"
