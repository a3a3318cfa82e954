#!/usr/bin/env bash
# Renders icons/nube.svg into the PNG sizes the console uses as window icons.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
out=../src/main/resources/dev/nube/icons
mkdir -p "$out"
for size in 16 24 32 48 64 128 256 512; do
  if command -v rsvg-convert >/dev/null; then
    rsvg-convert -w "$size" -h "$size" nube.svg -o "$out/nube-$size.png"
  else
    convert -background none -density 384 nube.svg -resize "${size}x${size}" "$out/nube-$size.png"
  fi
done
