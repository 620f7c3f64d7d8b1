#!/usr/bin/env bash
# PEG validation inputs (run by scripts/reference-data.sh with B and R set): one simulated
# input set, analysed pruned (peg-small) and LD-weighted (peg-mrld).
set -euo pipefail
for c in peg-small peg-mrld; do
    "$B" simulate peg --instruments 60 --focal 3 --chromosomes 4 --ref-samples 200 --seed 4 --out "$R/$c" > /dev/null
done
