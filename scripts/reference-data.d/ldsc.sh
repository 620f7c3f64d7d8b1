#!/usr/bin/env bash
# LDSC validation inputs (run by scripts/reference-data.sh with B and R set): 3000 SNPs,
# 12 spots (two of them singular), 200 genes.
set -euo pipefail
"$B" simulate ldsc --snps 3000 --spots 12 --genes 200 --singular-spots 2 --seed 3 --out "$R/ldsc-small" > /dev/null
