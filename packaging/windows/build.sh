#!/usr/bin/env bash
# Cross-builds dripline.exe for Windows 10/11 (x86_64-pc-windows-gnu) on Debian 12, by hand:
#   bash packaging/windows/build.sh            → <target>/windows/x86_64-pc-windows-gnu/release/dripline.exe
#   bash packaging/windows/build.sh --smoke    … then runs the CLI smoke test under Wine
#   bash packaging/windows/build.sh --installer … and wraps it in an NSIS installer (<target>/packages/),
#                                               tested under Wine (install, run, uninstall, data kept)
#
# rustup cannot fetch the Windows standard library here (only the package registries are
# reachable), so the standard library is compiled from source: Debian's rustc-web (a current
# rustc) with its rust-web-src, `-Zbuild-std` (RUSTC_BOOTSTRAP=1 lets the stable compiler take
# the unstable flag), and Debian's mingw-w64 as C compiler and linker. See README.md beside this.
set -euo pipefail
cd "$(dirname "$0")/../.."

TARGET=x86_64-pc-windows-gnu
TARGET_DIR=$(realpath -m "${CARGO_TARGET_DIR:-target}")
WIN_DIR="$TARGET_DIR/windows"
need=()
[[ -x /usr/bin/rustc && "$(/usr/bin/rustc --version)" == *"1.9"* ]] || need+=(rustc-web cargo-web)
[[ -d /usr/lib/rustlib/src/rust/library ]] || need+=(rust-web-src)
command -v x86_64-w64-mingw32-gcc-posix >/dev/null || need+=(gcc-mingw-w64-x86-64-posix g++-mingw-w64-x86-64-posix binutils-mingw-w64-x86-64)
if ((${#need[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# Debian's compiler and cargo, not rustup's (which has no Windows standard library here).
export RUSTC=/usr/bin/rustc
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="$WIN_DIR"
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc-posix
export CXX_x86_64_pc_windows_gnu=x86_64-w64-mingw32-g++-posix
export AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc-posix
/usr/bin/cargo build --release --locked --bin dripline --target "$TARGET" \
    -Zbuild-std=std,panic_abort
EXE="$WIN_DIR/$TARGET/release/dripline.exe"
ls -l "$EXE"

if [[ " $* " == *" --smoke "* || " $* " == *" --installer "* ]]; then
    bash packaging/windows/smoke-wine.sh "$EXE"
fi
if [[ " $* " == *" --installer "* ]]; then
    command -v makensis >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nsis
    VERSION=$(sed -n 's/^version = "\([0-9.]*\)"$/\1/p' Cargo.toml | head -n1)
    mkdir -p "$TARGET_DIR/packages"
    makensis -V2 -DVERSION="$VERSION" -DEXE="$EXE" -DICON="$PWD/packaging/windows/dripline.ico" \
        -DOUT="$TARGET_DIR/packages/dripline-$VERSION-setup.exe" packaging/windows/dripline.nsi
    ls -l "$TARGET_DIR/packages/dripline-$VERSION-setup.exe"
    bash packaging/windows/test-installer.sh "$TARGET_DIR/packages/dripline-$VERSION-setup.exe"
fi
