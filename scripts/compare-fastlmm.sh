#!/usr/bin/env bash
# REML h² of GenoBench's exact-f64 backend vs FaST-LMM on the same simulated data, side by side.
#
#   bash scripts/compare-fastlmm.sh [N] [M] [SEED] [WORKDIR]     (default 3000 5000 7 $(mktemp -d))
#
# Simulates N samples x M SNPs with `genobench simulate reml` (h² = $H2, default 0.5; writes
# PREFIX.bed/.bim/.fam/.pheno/.covar/.truth), then fits one-component REML h² with
#   - genobench reml --backend exact-f64 with one thread (GENOBENCH_BLAS_THREADS=1 GENOBENCH_THREADS=1)
#   - genobench reml --backend exact-f64 with its default threads
#   - scripts/peers/fastlmm_reml.py (FaST-LMM's LMM.findH2(REML=True) on the same GRM scaled to
#     trace n, intercept + standardised covariates) with one BLAS thread
#     (OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=OMP_NUM_THREADS=1)
# each timed as a whole process with /usr/bin/time -f '%e %M' (wall seconds, peak RSS), prints
# a table (tool, h², seconds, peak MiB), |Δh²| and the speed ratio, and exits 1 if
# |Δh²| > 1e-5 (TOL). GenoBench's h² is the `V(G1)/Vp` row of OUT.hsq (`V(G)/Vp` accepted), so
# that row must carry at least 7 decimals; fewer is reported as an error.
#
# Environment:
#   GENOBENCH    genobench binary (default .build/release/genobench; build: swift build -c release)
#   VENV         Python venv with fastlmm (default /work/peers/venv). Create it outside the repo:
#                  python3 -m venv /work/peers/venv
#                  /work/peers/venv/bin/pip install fastlmm==0.6.13 pysnptools==0.5.15 six \
#                      numpy==2.4.6 scipy==1.17.1 statsmodels==0.15.0
#                (pysnptools 0.5.15 imports `six` without declaring it: install it explicitly.)
#   H2           simulated heritability (default 0.5);  TOL  |Δh²| limit (default 1e-5)
#   BFILE        use an existing PREFIX (PREFIX.bed/.bim/.fam + PREFIX.pheno + PREFIX.covar)
#                instead of simulating; N, M and SEED are then ignored
#   FASTLMM_ONLY=1  run only the FaST-LMM half (no genobench needed; needs BFILE)
#
# Run from the repository root. Timings mean something only on an otherwise idle machine.
set -euo pipefail

N=${1:-3000}; M=${2:-5000}; SEED=${3:-7}
WORK=${4:-${WORK:-}}
BIN=${GENOBENCH:-.build/release/genobench}
VENV=${VENV:-/work/peers/venv}
H2=${H2:-0.5}; TOL=${TOL:-1e-5}
FASTLMM_ONLY=${FASTLMM_ONLY:-0}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY="$VENV/bin/python"

[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (apt-get install time)" >&2; exit 2; }
[ -x "$PY" ] || { echo "no Python venv at $VENV (see the header of $0 for the recipe)" >&2; exit 2; }
"$PY" -c "import fastlmm.inference.lmm" 2>/dev/null \
  || { echo "fastlmm does not import from $VENV (pip install fastlmm six)" >&2; exit 2; }
if [ "$FASTLMM_ONLY" != 1 ]; then
  [ -x "$BIN" ] || { echo "genobench binary not found at $BIN (swift build -c release, or set GENOBENCH)" >&2; exit 2; }
fi

if [ -z "$WORK" ]; then WORK=$(mktemp -d); else mkdir -p "$WORK"; fi
echo "work dir: $WORK"

# ---- data ----------------------------------------------------------------------------------
if [ -n "${BFILE:-}" ]; then
  PREFIX=$BFILE
else
  [ "$FASTLMM_ONLY" != 1 ] || { echo "FASTLMM_ONLY=1 needs BFILE=PREFIX (nothing to simulate with)" >&2; exit 2; }
  PREFIX=$WORK/sim
  "$BIN" simulate reml --samples "$N" --variants "$M" --h2 "$H2" --seed "$SEED" --out "$PREFIX" | tail -1
fi
for ext in bed bim fam pheno covar; do
  [ -f "$PREFIX.$ext" ] || { echo "missing $PREFIX.$ext" >&2; exit 2; }
done
n_fam=$(wc -l < "$PREFIX.fam"); n_snp=$(wc -l < "$PREFIX.bim")

# timed LABEL CMD... : runs CMD (stdout to $WORK/LABEL.out, stderr to $WORK/LABEL.err) under
# /usr/bin/time; `secs LABEL` and `mib LABEL` then give its wall seconds and peak RSS in MiB
timed() {
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$WORK/$label.time" "$@" > "$WORK/$label.out" 2> "$WORK/$label.err" \
    || { echo "$label failed (see $WORK/$label.err):" >&2; tail -20 "$WORK/$label.err" >&2; exit 2; }
}
secs() { tail -1 "$WORK/$1.time" | awk '{print $1}'; }
mib() { tail -1 "$WORK/$1.time" | awk '{printf "%.0f", $2 / 1024}'; }

# h² and n from a GCTA-style .hsq (tab-separated Source Variance SE)
hsq_field() {
  awk -F'\t' -v key="$2" '$1 == key { print $2; found = 1; exit } END { if (!found) exit 1 }' "$1"
}
hsq_h2() {
  local v
  v=$(hsq_field "$1" 'V(G1)/Vp' || hsq_field "$1" 'V(G)/Vp') \
    || { echo "no V(G1)/Vp row in $1" >&2; exit 2; }
  case $v in
    *.???????*) echo "$v" ;;
    *) echo "h² in $1 is printed as '$v': fewer than 7 decimals cannot show |Δh²| <= $TOL" >&2; exit 2 ;;
  esac
}

echo "== REML h², one component: $n_fam samples x $n_snp SNPs ($PREFIX), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- FaST-LMM, one BLAS thread ------------------------------------------------------------------
timed fastlmm env OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1 \
  "$PY" "$HERE/peers/fastlmm_reml.py" --bfile "$PREFIX" --pheno "$PREFIX.pheno" --covar "$PREFIX.covar" --json
t_fl=$(secs fastlmm); m_fl=$(mib fastlmm)
fl_fields=$("$PY" - "$WORK/fastlmm.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{d['h2']:.12f} {d['n']} import={d['seconds_import_fastlmm']:.2f}s,read+kernel={d['seconds_read_kernel']:.2f}s,fit={d['seconds_fit']:.2f}s(eigh={d['seconds_fit_eigh']:.2f}s)")
PY
)
read -r h2_fl n_fl split_fl <<< "$fl_fields"

row() { printf "%-28s %14s %9s %9s  %s\n" "$@"; }
if [ "$FASTLMM_ONLY" = 1 ]; then
  row tool h2 seconds "peak MiB" ""
  row "fastlmm (1 BLAS thread)" "$h2_fl" "$t_fl" "$m_fl" "n=$n_fl $split_fl"
  echo "FASTLMM_ONLY=1: no comparison made"
  exit 0
fi

# ---- GenoBench exact-f64: one thread, then default threads --------------------------------------
timed genobench1 env GENOBENCH_BLAS_THREADS=1 GENOBENCH_THREADS=1 \
  "$BIN" reml --bfile "$PREFIX" --pheno "$PREFIX.pheno" --covar "$PREFIX.covar" --backend exact-f64 --out "$WORK/gb1"
timed genobenchd \
  "$BIN" reml --bfile "$PREFIX" --pheno "$PREFIX.pheno" --covar "$PREFIX.covar" --backend exact-f64 --out "$WORK/gbd"
timed genobenchf \
  "$BIN" reml --bfile "$PREFIX" --pheno "$PREFIX.pheno" --covar "$PREFIX.covar" --backend exact-f32 --out "$WORK/gbf"
t_g1=$(secs genobench1); m_g1=$(mib genobench1); t_gd=$(secs genobenchd); m_gd=$(mib genobenchd)
t_gf=$(secs genobenchf); m_gf=$(mib genobenchf)
h2_g1=$(hsq_h2 "$WORK/gb1.hsq"); h2_gd=$(hsq_h2 "$WORK/gbd.hsq"); h2_gf=$(hsq_h2 "$WORK/gbf.hsq")
n_g1=$(hsq_field "$WORK/gb1.hsq" n || echo "?")

row tool h2 seconds "peak MiB" ""
row "fastlmm (1 BLAS thread)" "$h2_fl" "$t_fl" "$m_fl" "n=$n_fl $split_fl"
row "genobench exact-f64 (1 thr)" "$h2_g1" "$t_g1" "$m_g1" "n=$n_g1"
row "genobench exact-f64 (default)" "$h2_gd" "$t_gd" "$m_gd" ""
row "genobench exact-f32 (default)" "$h2_gf" "$t_gf" "$m_gf" ""
[ -f "$PREFIX.truth" ] && echo "truth ($PREFIX.truth): $(tr '\n' ' ' < "$PREFIX.truth")"

"$PY" - "$h2_fl" "$h2_g1" "$h2_gd" "$t_fl" "$t_g1" "$TOL" "$n_fl" "$n_g1" "$t_gd" "$t_gf" "$h2_gf" <<'PY'
import sys
h_fl, h_g1, h_gd, t_fl, t_g1, tol = map(float, sys.argv[1:7])
n_fl, n_g1 = sys.argv[7], sys.argv[8]
t_gd, t_gf, h_gf = map(float, sys.argv[9:12])
d1, dd = abs(h_g1 - h_fl), abs(h_gd - h_fl)
print(f"|dh2| genobench(1 thread) - fastlmm = {d1:.2e}; genobench(default) - fastlmm = {dd:.2e}  (limit {tol:g})")
print(f"|dh2| genobench exact-f32 - fastlmm = {abs(h_gf - h_fl):.2e}  (f32 tolerance 1e-3)")
for name, t in (("exact-f64, 1 thread", t_g1), ("exact-f64, default threads", t_gd), ("exact-f32, default threads", t_gf)):
    print(f"speed: fastlmm / genobench {name} = {t_fl / max(t, 1e-9):.2f}x  (target >= 5x)")
bad = []
if max(d1, dd) > tol:
    bad.append("h2 differs by more than the limit")
if n_g1 not in ("?", n_fl) and float(n_g1) != float(n_fl):
    bad.append(f"n differs: fastlmm {n_fl}, genobench {n_g1}")
if bad:
    print("FAIL: " + "; ".join(bad))
    sys.exit(1)
print("OK")
PY
