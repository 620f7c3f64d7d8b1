#!/usr/bin/env bash
# Tiled LD vs PLINK 1.9 on the same files, side by side in one session, plus the peak memory of
# one tiled part against the number of subproblems (the seed's Tomahawk table at our scale).
#
#   bash scripts/compare-plink.sh [SAMPLES] [VARIANTS]     (default 2500 x 20000)
#
# Needs plink1.9 (Debian package plink1.9) and a release build (swift build -c release).
# Both tools write every pair with r² >= 0.2 and no window; GenoBench counts the .bim column-5
# allele as PLINK 1.9 does with --keep-allele-order, so r values are compared directly.
set -euo pipefail
N=${1:-2500}; M=${2:-20000}
BIN=${GENOBENCH:-.build/release/genobench}
WORK=${WORK:-$(mktemp -d)}
command -v plink1.9 >/dev/null || { echo "plink1.9 not found: apt-get install plink1.9" >&2; exit 1; }
"$BIN" simulate ld --samples "$N" --variants "$M" --seed 7 --out "$WORK/sim" | tail -1
seconds() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }

echo "== speed: all pairs with r2 >= 0.2, $N samples x $M variants, $(nproc) cores"
t_plink=$(seconds plink1.9 --bfile "$WORK/sim" --r2 --ld-window-r2 0.2 --ld-window 999999 --ld-window-kb 999999 \
    --keep-allele-order --threads "$(nproc)" --out "$WORK/plink")
t_tiled=$(seconds "$BIN" ld --bfile "$WORK/sim" --backend tiled-f64 --r2-min 0.2 --out "$WORK/tiled.tsv")
t_tiled32=$(seconds "$BIN" ld --bfile "$WORK/sim" --backend tiled-f32 --r2-min 0.2 --out "$WORK/tiled32.tsv")
printf "plink1.9 --r2        %8.2f s  (%d pairs)\n" "$t_plink" "$(($(wc -l < "$WORK/plink.ld") - 1))"
printf "genobench tiled-f64  %8.2f s  (%d pairs)  speed-up %.1fx\n" "$t_tiled" "$(($(wc -l < "$WORK/tiled.tsv") - 1))" "$(echo "$t_plink / $t_tiled" | bc -l)"
printf "genobench tiled-f32  %8.2f s  (%d pairs)  speed-up %.1fx\n" "$t_tiled32" "$(($(wc -l < "$WORK/tiled32.tsv") - 1))" "$(echo "$t_plink / $t_tiled32" | bc -l)"
python3 - "$WORK/plink.ld" "$WORK/tiled.tsv" <<'PY'
import sys
plink = {}
with open(sys.argv[1]) as f:
    next(f)
    for line in f:
        x = line.split(); plink[(x[2], x[5])] = float(x[6])
worst, both = 0.0, 0
with open(sys.argv[2]) as f:
    next(f)
    for line in f:
        x = line.rstrip("\n").split("\t"); k = (x[2], x[5])
        if k in plink: worst = max(worst, abs(plink[k] - float(x[8]))); both += 1
print(f"agreement: {both} pairs in both, max |r2 genobench - r2 plink| = {worst:.2e} (PLINK prints 6 significant digits)")
PY

echo "== memory: peak RSS of one tiled part (block size 100) against the number of subproblems"
peak() { "$BIN" ld --bfile "$WORK/sim" --r2-min 0.2 --out "$WORK/part.tsv" "$@" 2>&1 | sed -n 's/.*peak RSS \([0-9.]*\) MiB.*/\1/p'; }
# naive decodes every variant; a 1 kb window keeps its run short without changing what it loads
naive=$(peak --backend naive-f64 --window-kb 1)
printf "%-12s %4s %12s %12s\n" approach f "diagonal MiB" "square MiB"
printf "%-12s %4s %12s %12s\n" naive - "$naive" -
for c in 1 10 45 105; do
  f=$(python3 -c "import math;print(int((math.isqrt(8*$c+1)-1)//2))")
  d=$(peak --backend tiled-f64 --block-size 100 --subproblems $c --part 1)
  s=-; [ "$c" -gt 1 ] && s=$(peak --backend tiled-f64 --block-size 100 --subproblems $c --part 2)
  printf "%-12s %4s %12s %12s\n" "tiling-$c" "$f" "$d" "$s"
done
