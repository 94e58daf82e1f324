#!/bin/sh
# Rebuild the Khmer font subsets the portal serves (Noto Sans Khmer, OFL-1.1) from Debian's
# fonts-noto-core: Khmer, Khmer symbols, Latin-1, punctuation, the kip sign and the dotted circle.
set -eu
out="$(dirname "$0")/../src/samleng/web/static/fonts"
for weight in Regular Bold; do
  uvx --from 'fonttools[woff]' pyftsubset "/usr/share/fonts/truetype/noto/NotoSansKhmer-$weight.ttf" \
    --unicodes='U+0020-007E,U+00A0-00FF,U+1780-17FF,U+19E0-19FF,U+200B-200D,U+2010-2027,U+20AD,U+25CC' \
    --layout-features='*' --flavor=woff2 \
    --output-file="$out/noto-sans-khmer-$(echo "$weight" | tr 'A-Z' 'a-z').woff2"
done
