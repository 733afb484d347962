#!/usr/bin/env bash
# Regenerates the PNG app icons from dripline.svg (needs rsvg-convert: apt-get install librsvg2-bin).
# The PNGs are committed; the .deb build only copies them.
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 24 32 48 64 128 256 512; do
    rsvg-convert -w "$size" -h "$size" dripline.svg -o "dripline-${size}.png"
done
