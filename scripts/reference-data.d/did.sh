#!/usr/bin/env bash
# DiD validation inputs (run by scripts/reference-data.sh with B = the genobench binary and
# R = reference-data). did-small/cells.tsv predates this script (it is also the sctrial
# fixture of DiDGoldenTests) and is kept as it is.
set -euo pipefail
mkdir -p "$R/did-sim"
"$B" simulate did --participants 14 --cells-per-sample 12 --features 6 --unpaired 2 --missing-rate 0.02 --covariates 1 --seed 7 \
    --out "$R/did-sim/cells.tsv" > /dev/null
