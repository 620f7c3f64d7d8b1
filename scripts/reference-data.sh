#!/usr/bin/env bash
# Regenerates reference-data/: the simulated inputs of every case, then (genobench validate
# --write) each golden reference from the GSL reference and the input checksums in case.toml,
# then prints the sha256 of every file for reference-data/MANIFEST.md.
#
#   bash scripts/reference-data.sh [GENOBENCH]     (default .build/debug/genobench)
#
# The ld-small inputs and their PLINK 1.9 / naive-f64 tables predate this script and are kept
# as they are (LDGoldenTests compares bytes); only their case.toml checksums and golden
# reference are rewritten.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-.build/debug/genobench}
R=reference-data
"$B" simulate reml --samples 300 --variants 600 --h2 0.5 --seed 5 --out $R/reml-small/sim > /dev/null
"$B" simulate reml --samples 300 --variants 600 --h2 0.6 --components 2 --seed 6 --out $R/reml-two/sim > /dev/null
# Families added later put their case generators in scripts/reference-data.d/FAMILY.sh (run here).
for extra in scripts/reference-data.d/*.sh; do [ -f "$extra" ] && B="$B" R="$R" bash "$extra"; done
"$B" validate --dir $R --write
echo "tool: $("$B" --version)"
(cd $R && find . -type f ! -name MANIFEST.md | sort | xargs sha256sum)
