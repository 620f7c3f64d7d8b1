#!/usr/bin/env bash
# genobench did vs sctrial 1.0.0's did_table on the same simulated cell table, side by side.
#
#   bash scripts/compare-sctrial.sh [PARTICIPANTS] [CELLS_PER_SAMPLE] [FEATURES] [SEED] [WORKDIR]
#        (default 40 1250 500 7 $(mktemp -d): about 100,000 cells x 500 features)
#
# 1. `genobench simulate did` writes WORK/cells.tsv (P participants, half treated, V1/V2, about C
#    cells per participant x visit, F features, the first F/5 with a planted effect).
# 2. `genobench did --backend $BACKEND` (default pseudobulk-f64; MODE=cell uses cell-f64 and
#    --aggregate cell) on that file, timed as a whole process by /usr/bin/time (wall seconds,
#    peak RSS): reading and parsing the text is included.
# 3. scripts/peers/sctrial_did.py: pandas reads the same file, AnnData with dense float64 X,
#    did_table(...) with the same options; it times did_table alone and also reports the
#    read/AnnData seconds, then compares the two tables feature by feature.
# 4. The harness on the same file, like for like with did_table (cells already in memory): a
#    one-problem suite with `cells = TABLE` (the DiD family reads the table into memory before
#    timing), REPEATS (default 5) runs of $BACKEND by `genobench run`; its median wall of solve()
#    (aggregating the cells and fitting every feature) against did_table's seconds.
# Prints the max differences and a table of wall and CPU times and the speed-ups
# (sctrial did_table / genobench whole process, in wall and in CPU seconds: on a shared
# 2-core machine the CPU ratio is the one other processes do not move). Exits 1 if max |Δβ_DiD| / SE or
# the max relative difference of se_DiD exceeds TOL (default 1e-10).
#
# Environment:
#   GENOBENCH  genobench binary (default .build/release/genobench; build: swift build -c release)
#   VENV       Python venv with sctrial (default /work/peers/did-venv); see scripts/peers/README.md
#   MODE       pseudobulk (default) or cell;  BACKEND  overrides the backend id
#   STANDARDIZE  true (default) or false;  TOL  see above;  THREADS  genobench --threads
#   CELLS      use an existing cell table (columns participant, visit, arm, celltype, features)
# Run from the repository root; timings mean something only on an otherwise idle machine.
set -euo pipefail

P=${1:-40}; C=${2:-1250}; F=${3:-500}; SEED=${4:-7}
WORK=${5:-${WORK:-}}
BIN=${GENOBENCH:-.build/release/genobench}
VENV=${VENV:-/work/peers/did-venv}
MODE=${MODE:-pseudobulk}
STANDARDIZE=${STANDARDIZE:-true}
TOL=${TOL:-1e-10}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY="$VENV/bin/python"

[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (apt-get install time)" >&2; exit 2; }
[ -x "$PY" ] || { echo "no Python venv at $VENV (see scripts/peers/README.md)" >&2; exit 2; }
"$PY" -c "import sctrial" 2>/dev/null || { echo "sctrial does not import from $VENV" >&2; exit 2; }
[ -x "$BIN" ] || { echo "genobench binary not found at $BIN (swift build -c release, or set GENOBENCH)" >&2; exit 2; }
if [ -z "$WORK" ]; then WORK=$(mktemp -d); else mkdir -p "$WORK"; fi
echo "work dir: $WORK"

if [ "$MODE" = cell ]; then BACKEND=${BACKEND:-cell-f64}; AGG=cell; else BACKEND=${BACKEND:-pseudobulk-f64}; AGG=participant_visit; fi
if [ -n "${CELLS:-}" ]; then TABLE=$CELLS; else
  TABLE=$WORK/cells.tsv
  "$BIN" simulate did --participants "$P" --cells-per-sample "$C" --features "$F" --seed "$SEED" --out "$TABLE" | head -1
fi
THREADOPT=(); [ -n "${THREADS:-}" ] && THREADOPT=(--threads "$THREADS")

/usr/bin/time -f '%e %M %U %S' -o "$WORK/genobench.time" "$BIN" did --cells "$TABLE" --participant participant --visit visit \
  --arm arm --treated Treated --visits V1,V2 --aggregate "$AGG" --standardize "$STANDARDIZE" --backend "$BACKEND" \
  "${THREADOPT[@]}" --out "$WORK/genobench.tsv" 2> "$WORK/genobench.err" \
  || { echo "genobench failed:" >&2; cat "$WORK/genobench.err" >&2; exit 2; }
/usr/bin/time -f '%e %M' -o "$WORK/sctrial.time" "$PY" "$HERE/peers/sctrial_did.py" --cells "$TABLE" --visits V1,V2 \
  --aggregate "$AGG" --standardize "$STANDARDIZE" --genobench "$WORK/genobench.tsv" --out "$WORK/sctrial.tsv" > "$WORK/sctrial.out" \
  || { echo "sctrial failed" >&2; exit 2; }

REPEATS=${REPEATS:-5}
SUITE_AGG=$AGG; [ "$AGG" = cell ] && SUITE_AGG=participant_visit  # the cell backends always fit cells
cat > "$WORK/harness.toml" <<EOF
name = "compare-sctrial"
repeats = $REPEATS
warmup = 1
[[problems]]
family = "did"
backends = ["$BACKEND"]
seeds = [1]
[problems.params]
cells = "$TABLE"
aggregate = "$SUITE_AGG"
standardize = $STANDARDIZE
reference-max-cells = 0
EOF
rm -f "$WORK/harness.sqlite" "$WORK/harness.sqlite-wal" "$WORK/harness.sqlite-shm"
"$BIN" run "$WORK/harness.toml" --db "$WORK/harness.sqlite" "${THREADOPT[@]}" > "$WORK/harness.out" 2>&1 \
  || { echo "genobench run (harness) failed:" >&2; cat "$WORK/harness.out" >&2; exit 2; }
# The run's summary row: problem ("did seed=1"), backend, runs, median wall s, ...
h_wall=$(awk -v b="$BACKEND" '$3 == b { print $5 }' "$WORK/harness.out")

grep -E "^(cells|features|features_matched|n_units_agree|.*_max_(abs|rel)_diff.*|.*_over_se|.*nan_mismatch)\s" "$WORK/sctrial.out"
g_wall=$(awk '{print $1}' "$WORK/genobench.time"); g_mib=$(awk '{printf "%.0f", $2/1024}' "$WORK/genobench.time")
s_wall=$(awk '{print $1}' "$WORK/sctrial.time"); s_mib=$(awk '{printf "%.0f", $2/1024}' "$WORK/sctrial.time")
s_did=$(awk -F'\t' '$1=="seconds_did_table"{print $2}' "$WORK/sctrial.out")
s_read=$(awk -F'\t' '$1=="seconds_read"{print $2}' "$WORK/sctrial.out")
g_cpu=$(awk '{print $3 + $4}' "$WORK/genobench.time")
s_cpu=$(awk -F'\t' '$1=="cpu_seconds_did_table"{print $2}' "$WORK/sctrial.out")
g_fit=$(grep -o 'wall [0-9.]* s' "$WORK/genobench.err" | awk '{print $2}')
echo
printf "%-34s %12s %10s\n" "run" "seconds" "peak MiB"
printf "%-34s %12.2f %10s\n" "genobench did $BACKEND (process)" "$g_wall" "$g_mib"
printf "%-34s %12.2f %10s\n" "  its CPU seconds (user + sys)" "$g_cpu" "-"
printf "%-34s %12.2f %10s\n" "  of which read + fit (its own)" "$g_fit" "-"
printf "%-34s %12.3f %10s\n" "genobench $BACKEND solve (harness)" "$h_wall" "-"
printf "%-34s %12.2f %10s\n" "sctrial did_table alone" "$s_did" "-"
printf "%-34s %12.2f %10s\n" "  its CPU seconds" "$s_cpu" "-"
printf "%-34s %12.2f %10s\n" "sctrial read + AnnData" "$s_read" "-"
printf "%-34s %12.2f %10s\n" "sctrial process (python)" "$s_wall" "$s_mib"
awk -v s="$s_did" -v g="$g_wall" -v sc="$s_cpu" -v gc="$g_cpu" 'BEGIN { printf "speed-up (did_table / genobench process): %.1fx wall, %.1fx CPU\n", s / g, sc / gc }'
awk -v s="$s_did" -v h="$h_wall" -v r="$REPEATS" 'BEGIN { printf "speed-up like for like (did_table / harness solve, median of %d, cells in memory): %.1fx\n", r, s / h }'
worst=$(awk -F'\t' '$1=="beta_DiD_max_diff_over_se" || $1=="se_DiD_max_rel_diff" {if ($2 > m) m = $2} END {print m + 0}' "$WORK/sctrial.out")
awk -v w="$worst" -v t="$TOL" 'BEGIN { if (w > t) { printf "max relative difference %g > %g\n", w, t; exit 1 } }'
