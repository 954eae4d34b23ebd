#!/usr/bin/env bash
# Build the Korean font the traveller PDF embeds (run once; the result is committed).
#
# Source: NanumGothic Regular and Bold from Debian's fonts-nanum package
# (Copyright 2010 NAVER Corporation, SIL Open Font License 1.1). The output keeps
# the glyphs for Basic Latin, Latin-1, Latin Extended-A, general punctuation,
# CJK symbols, Hangul compatibility jamo and all 11,172 Hangul syllables, without
# hinting; everything else is dropped to keep the repository small (about 1.3 MB
# a weight). Because "Nanum" and "NanumGothic" are Reserved Font Names under the
# OFL, the subset (a Modified Version) is renamed "Visadesk Gothic".
#
#   apt-get install fonts-nanum        # the source fonts
#   tools/fonts/build-korean-font.sh   # needs fontTools: uv runs it without installing it
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
src=${NANUM_DIR:-/usr/share/fonts/truetype/nanum}
out=$here/src/visadesk/report/traveller/fonts
uvx=${UVX:-$here/.tools/bin/uvx}
command -v "$uvx" >/dev/null || uvx=uvx
ranges="U+0020-007E,U+00A0-00FF,U+0100-017F,U+00B7,U+2010-2027,U+2030-203A,U+2190-2193,U+2460-2473,U+25A0-25CF,U+3000-303F,U+3130-318F,U+AC00-D7A3,U+FF01-FF5E"
for weight in Regular Bold; do
    name=NanumGothic; [ "$weight" = Bold ] && name=NanumGothicBold
    "$uvx" --from 'fonttools==4.*' pyftsubset "$src/$name.ttf" --unicodes="$ranges" \
        --no-hinting --drop-tables+=DSIG,GSUB,GPOS --name-IDs='*' --name-languages=1033 \
        --output-file="$out/VisadeskGothic-$weight.ttf"
    "$uvx" --from 'fonttools==4.*' python - "$out/VisadeskGothic-$weight.ttf" "$weight" <<'PY'
import sys
from fontTools.ttLib import TTFont

path, weight = sys.argv[1], sys.argv[2]
font = TTFont(path)
names = font["name"]
copyright = names.getDebugName(0)
names.names = []
for number, text in {
    0: f"{copyright} Copyright 2010 NAVER Corporation. Subset and renamed for visadesk.",
    1: "Visadesk Gothic",
    2: weight,
    3: f"Visadesk Gothic {weight}; subset of NanumGothic 3.021",
    4: f"Visadesk Gothic {weight}",
    5: "Version 3.021; subset for visadesk",
    6: f"VisadeskGothic-{weight}",
    13: "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
    14: "https://openfontlicense.org",
}.items():
    names.setName(text, number, 3, 1, 0x409)
font["head"].timeModified = font["head"].created  # reproducible output
font.save(path)
PY
done
ls -l "$out"
