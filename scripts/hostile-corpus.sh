#!/usr/bin/env bash
# Regenerates reference-data/hostile/: small valid inputs for every reader (made by `genobench
# simulate` with tiny sizes, or written here), bad variants of them (truncated, wrong magic,
# wrong counts, ragged rows, non-numeric, NaN/Inf, duplicate IDs, empty, huge values, invalid
# UTF-8), and manifest.tsv, which HostileInputTests runs through the real binary:
#
#   name  exit  file  where  expect  args...
#
# `file`, `where` and `expect` are fragments the error on standard error must contain (the
# file named, the line/record/column named, what was expected); `-` means none is required.
# `args` are the genobench arguments, paths relative to reference-data/hostile, `@OUT@` the
# test's empty output directory, which must still be empty after the failure (except a `.log`
# that records the error: `genobench peg` writes PREFIX.log ending in `error: ...`).
# The ok/ inputs are also the fuzzers' seeds (scripts/fuzz.sh).
#
#   bash scripts/hostile-corpus.sh [GENOBENCH]     (default .build/debug/genobench)
set -euo pipefail
set -f   # no globbing: `ref_chr*` reaches genobench as written
cd "$(dirname "$0")/.."
B=$(realpath "${1:-.build/debug/genobench}")
H=reference-data/hostile
rm -rf "$H"
mkdir -p "$H"/{plink,pheno,components,did,gmt,peg,ldsc,suite,simulate}
cd "$H"
M=manifest.tsv
printf '# name\texit\tfile\twhere\texpect\targs (see scripts/hostile-corpus.sh)\n' > $M
# e NAME EXIT FILE WHERE EXPECT ARGS...
e() { local n=$1 x=$2 f=$3 w=$4 m=$5; shift 5; printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$x" "$f" "$w" "$m" "$*" >> $M; }
# bytes FILE OFFSET HEX: overwrite one byte
poke() { printf "\\x$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
# line FILE N: line N of FILE
line() { sed -n "${2}p" "$1"; }

# ---------------------------------------------------------------- plink (.bed/.bim/.fam)
P=plink
"$B" simulate ld --samples 10 --variants 6 --seed 1 --out $P/ok > /dev/null
mk() { cp $P/ok.bed $P/$1.bed; cp $P/ok.bim $P/$1.bim; cp $P/ok.fam $P/$1.fam; }
LD="ld --backend naive-f64 --out @OUT@/ld.tsv --bfile"
mk bad-magic; poke $P/bad-magic.bed 0 00
e bed-wrong-magic 65 bad-magic.bed "first bytes are 0x00 0x1b" "expected 0x6c 0x1b" $LD $P/bad-magic
mk mode; poke $P/mode.bed 2 00
e bed-mode-byte 65 mode.bed "mode byte is 0x00" "SNP-major" $LD $P/mode
mk empty-bed; : > $P/empty-bed.bed
e bed-empty 65 empty-bed.bed "first bytes are missing" "expected 0x6c 0x1b" $LD $P/empty-bed
mk header-only; head -c 2 $P/ok.bed > $P/header-only.bed
e bed-cut-in-header 65 header-only.bed - "3-byte header is incomplete" $LD $P/header-only
mk truncated; head -c -1 $P/ok.bed > $P/truncated.bed
e bed-truncated 65 truncated.bed "20 bytes" "truncated: 20 bytes, expected 3 + 6 variants x 3 bytes = 21" $LD $P/truncated
mk long; { cat $P/ok.bed; printf '\x00'; } > $P/long.bed
e bed-too-long 65 long.bed "22 bytes" "too long" $LD $P/long
mk fam-extra; line $P/ok.fam 1 | sed 's/^[^ ]* [^ ]*/F99 I99/' >> $P/fam-extra.fam; line $P/ok.fam 1 | sed 's/^[^ ]* [^ ]*/F98 I98/' >> $P/fam-extra.fam; line $P/ok.fam 1 | sed 's/^[^ ]* [^ ]*/F97 I97/' >> $P/fam-extra.fam
e fam-count-wrong 65 fam-extra.bed "13 in plink/fam-extra.fam" "expected 3 + 6 variants x 4 bytes" $LD $P/fam-extra
mk bim-extra; line $P/ok.bim 1 | sed 's/\t[^\t]*/\tdupe/' >> $P/bim-extra.bim
e bim-count-wrong 65 bim-extra.bed "7 lines in plink/bim-extra.bim" "truncated" $LD $P/bim-extra
mk fam-ragged; sed -i '4s/ [^ ]*$//' $P/fam-ragged.fam
e fam-ragged 65 fam-ragged.fam "line 4" "expected 6 fields (FID, IID, father, mother, sex, phenotype), found 5" $LD $P/fam-ragged
mk bim-ragged; sed -i '3s/\t[^\t]*$//' $P/bim-ragged.bim
e bim-ragged 65 bim-ragged.bim "line 3" "expected 6 fields" $LD $P/bim-ragged
mk bim-position; sed -i '2s/^\([^\t]*\t[^\t]*\t[^\t]*\t\)[0-9]*/\1abc/' $P/bim-position.bim
e bim-non-numeric-position 65 bim-position.bim "line 2" "position 'abc' is not a non-negative integer" $LD $P/bim-position
mk bim-nan; sed -i '2s/^\([^\t]*\t[^\t]*\t[^\t]*\t\)[0-9]*/\1nan/' $P/bim-nan.bim
e bim-nan-position 65 bim-nan.bim "line 2" "position 'nan' is not a non-negative integer" $LD $P/bim-nan
mk bim-huge; sed -i '5s/^\([^\t]*\t[^\t]*\t[^\t]*\t\)[0-9]*/\199999999999999999999999/' $P/bim-huge.bim
e bim-huge-position 65 bim-huge.bim "line 5" "not a non-negative integer" $LD $P/bim-huge
mk bim-negative; sed -i '6s/^\([^\t]*\t[^\t]*\t[^\t]*\t\)[0-9]*/\1-5/' $P/bim-negative.bim
e bim-negative-position 65 bim-negative.bim "line 6" "'-5' is not a non-negative integer" $LD $P/bim-negative
mk bim-cm; sed -i '3s/^\([^\t]*\t[^\t]*\t\)[^\t]*/\1x1/' $P/bim-cm.bim
e bim-non-numeric-cm 65 bim-cm.bim "line 3" "centimorgan position 'x1' is not a number" $LD $P/bim-cm
mk fam-dup; sed -i '7s/^[^ ]* [^ ]*/'"$(line $P/ok.fam 2 | cut -d' ' -f1,2)"'/' $P/fam-dup.fam
e fam-duplicate-sample 65 fam-dup.fam "line 7" "appears twice (lines 2 and 7)" $LD $P/fam-dup
mk fam-empty; : > $P/fam-empty.fam
e fam-empty 65 fam-empty.fam - "no samples" $LD $P/fam-empty
mk bim-empty; : > $P/bim-empty.bim
e bim-empty 65 bim-empty.bim - "no variants" $LD $P/bim-empty
mk fam-utf8; sed -i '3s/^[^ ]*/F\xff\xfe/' $P/fam-utf8.fam
e fam-invalid-utf8 65 fam-utf8.fam "line 3" "not UTF-8 text" $LD $P/fam-utf8
mk bim-utf8; sed -i '4s/\t[^\t]*/\trs\xc3/' $P/bim-utf8.bim
e bim-invalid-utf8 65 bim-utf8.bim "line 4" "not UTF-8 text" $LD $P/bim-utf8
e ld-missing-fileset 65 missing.bim - "cannot read" $LD $P/missing

# ---------------------------------------------------------------- pheno / covar / keep (reml)
R=pheno
"$B" simulate reml --samples 24 --variants 30 --h2 0.5 --seed 1 --out $R/ok > /dev/null
rm -f $R/ok.truth
RE="reml --bfile $R/ok --backend exact-f64 --out @OUT@/fit"
pb() { cp $R/ok.pheno $R/$1.pheno; }
pb pheno-ragged; sed -i '5s/ [^ ]*$//' $R/pheno-ragged.pheno
e pheno-ragged 65 pheno-ragged.pheno "line 5" "expected FID, IID and at least one value, found 2 fields" $RE --pheno $R/pheno-ragged.pheno
pb pheno-dup; sed -i '9s/^[^ ]* [^ ]*/'"$(line $R/ok.pheno 3 | cut -d' ' -f1,2)"'/' $R/pheno-dup.pheno
e pheno-duplicate-iid 65 pheno-dup.pheno "line 9" "appears twice" $RE --pheno $R/pheno-dup.pheno
pb pheno-unknown; sed -i '4s/^[^ ]* [^ ]*/FX IX/' $R/pheno-unknown.pheno
e pheno-iid-not-in-fam 65 pheno-unknown.pheno "line 4" "'IX'" $RE --pheno $R/pheno-unknown.pheno
: > $R/pheno-empty.pheno
e pheno-empty 65 pheno-empty.pheno - "empty file" $RE --pheno $R/pheno-empty.pheno
awk '{print $1, $2, "abc"}' $R/ok.pheno > $R/pheno-words.pheno
e pheno-all-non-numeric 65 pheno-words.pheno "24 non-numeric" "no usable value" $RE --pheno $R/pheno-words.pheno
pb pheno-inf; sed -i '6s/ [^ ]*$/ inf/' $R/pheno-inf.pheno
e pheno-inf 65 pheno-inf.pheno "line 6" "'inf' is not a finite number" $RE --pheno $R/pheno-inf.pheno
pb pheno-huge; sed -i '7s/ [^ ]*$/ 1e999/' $R/pheno-huge.pheno
e pheno-huge 65 pheno-huge.pheno "line 7" "'1e999' is not a finite number" $RE --pheno $R/pheno-huge.pheno
pb pheno-utf8; sed -i '8s/ [^ ]*$/ 1.\xff/' $R/pheno-utf8.pheno
e pheno-invalid-utf8 65 pheno-utf8.pheno "line 8" "not UTF-8 text" $RE --pheno $R/pheno-utf8.pheno
awk '{print $1, $2, 3.5}' $R/ok.pheno > $R/pheno-constant.pheno
e pheno-constant 65 pheno-constant.pheno - "constant" $RE --pheno $R/pheno-constant.pheno
cp $R/ok.covar $R/covar-ragged.covar; sed -i '10s/ [^ ]*$//' $R/covar-ragged.covar
e covar-ragged 65 covar-ragged.covar "line 10" "has 3 fields but the first data line (line 1) has 4" $RE --pheno $R/ok.pheno --covar $R/covar-ragged.covar
cp $R/ok.covar $R/covar-dup.covar; sed -i '12s/^[^ ]* [^ ]*/'"$(line $R/ok.covar 11 | cut -d' ' -f1,2)"'/' $R/covar-dup.covar
e covar-duplicate-iid 65 covar-dup.covar "line 12" "(lines 11 and 12)" $RE --pheno $R/ok.pheno --covar $R/covar-dup.covar
cp $R/ok.covar $R/covar-inf.covar; sed -i '2s/ [^ ]*$/ -inf/' $R/covar-inf.covar
e covar-inf 65 covar-inf.covar "line 2" "'-inf' is not a finite number" $RE --pheno $R/ok.pheno --covar $R/covar-inf.covar
awk '{print $1, $2, $3, 2*$3}' $R/ok.covar > $R/covar-collinear.covar
e covar-collinear 65 covar-collinear.covar - "collinear" $RE --pheno $R/ok.pheno --covar $R/covar-collinear.covar
e keep-missing 65 no-such-keep.txt - "cannot read" $RE --pheno $R/ok.pheno --keep $R/no-such-keep.txt
printf 'FX IX\n' > $R/keep-none.txt
e keep-matches-nothing 65 keep-none.txt - "0 in the keep list" $RE --pheno $R/ok.pheno --keep $R/keep-none.txt
printf 'F\xff I\xfe\n' > $R/keep-utf8.txt
e keep-invalid-utf8 65 keep-utf8.txt "line 1" "not UTF-8 text" $RE --pheno $R/ok.pheno --keep $R/keep-utf8.txt

# ---------------------------------------------------------------- component specs (JSON)
C=components
CO="reml --bfile $R/ok --pheno $R/ok.pheno --backend exact-f64 --out @OUT@/fit --components"
printf '{"components": [{"name": "a", "variant_indices": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]}, {"name": "b", "variant_indices": [15,16,17,18,19,20,21,22,23,24,25,26,27,28,29]}]}\n' > $C/ok.json
printf '{"components": [{"name": "a", "variant_indices": [0,1,2' > $C/truncated.json
e json-truncated 65 truncated.json - "not valid JSON" $CO $C/truncated.json
: > $C/empty.json
e json-empty 65 empty.json - "not valid JSON" $CO $C/empty.json
printf '{"components": [{"name": "a", "variant_indices": [0, 30]}]}\n' > $C/out-of-range.json
e json-index-out-of-range 65 out-of-range.json "component 1 ('a')" "out of range 0...29" $CO $C/out-of-range.json
printf '{"components": [{"name": "a", "variant_indices": [0, 1e300]}]}\n' > $C/huge.json
e json-huge-index 65 huge.json "component 1 ('a')" "out of range 0...29" $CO $C/huge.json
printf '{"components": [{"name": "a", "variant_indices": [0, 1.5]}]}\n' > $C/fraction.json
e json-non-integer-index 65 fraction.json "component 1 ('a')" "1.5" $CO $C/fraction.json
printf '{"components": [{"name": "a", "variant_indices": [0, "3"]}]}\n' > $C/string-index.json
e json-string-index 65 string-index.json "component 1 ('a')" "not an integer" $CO $C/string-index.json
printf '{"components": [{"name": "a", "variant_indices": [0, 1]}, {"name": "a", "variant_indices": [2]}]}\n' > $C/dup-name.json
e json-duplicate-name 65 dup-name.json "components 1 and 2" "both named 'a'" $CO $C/dup-name.json
printf '{"components": [{"name": "a", "variant_indices": [0, 1]}, {"name": "b", "variant_indices": [1, 2]}]}\n' > $C/overlap.json
e json-overlapping-components 65 overlap.json "component 2 ('b')" "index 1" $CO $C/overlap.json
printf '{"components": [{"name": "a", "variant_indices": [0, 0]}]}\n' > $C/repeat.json
e json-repeated-index 65 repeat.json "component 1 ('a')" "index 0" $CO $C/repeat.json
printf '{"components": [{"name": "a"}]}\n' > $C/no-indices.json
e json-missing-key 65 no-indices.json "component 1 ('a')" "variant_indices" $CO $C/no-indices.json
printf '{"parts": []}\n' > $C/wrong-shape.json
e json-wrong-shape 65 wrong-shape.json - "'components'" $CO $C/wrong-shape.json
printf '{"components": [{"name": "\xff", "variant_indices": [0]}]}\n' > $C/utf8.json
e json-invalid-utf8 65 utf8.json - "not valid JSON" $CO $C/utf8.json
printf '{"components": [{"name": "a", "variant_indices": [NaN]}]}\n' > $C/nan.json
e json-nan 65 nan.json - "not valid JSON" $CO $C/nan.json

# ---------------------------------------------------------------- cell tables (did)
D=did
"$B" simulate did --participants 8 --cells-per-sample 2 --features 3 --celltypes 0 --seed 1 --out $D/ok.tsv > /dev/null
rm -f $D/ok.tsv.truth.tsv
DID="did --participant participant --visit visit --arm arm --treated Treated --visits V1,V2 --backend pseudobulk-f64 --out @OUT@/did.tsv --cells"
cb() { cp $D/ok.tsv $D/$1.tsv; }
cb ragged; sed -i '3s/\t[^\t]*$//' $D/ragged.tsv
e cells-ragged 65 ragged.tsv "line 3" "has 6 fields, the header has 7" $DID $D/ragged.tsv
cb words; sed -i '4s/\t[^\t]*$/\tabc/' $D/words.tsv
e cells-non-numeric 65 words.tsv "line 4" "column 'f3' (field 7): 'abc' is not a number" $DID $D/words.tsv
cb inf; sed -i '5s/\t[^\t]*$/\tinf/' $D/inf.tsv
e cells-inf 65 inf.tsv "line 5" "column 'f3' (field 7): 'inf' is not a number" $DID $D/inf.tsv
cb huge; sed -i '6s/\t[^\t]*$/\t1e999/' $D/huge.tsv
e cells-huge 65 huge.tsv "line 6" "'1e999' is not a number" $DID $D/huge.tsv
: > $D/empty.tsv
e cells-empty 65 empty.tsv - "empty" $DID $D/empty.tsv
head -1 $D/ok.tsv > $D/header-only.tsv
e cells-header-only 65 header-only.tsv - "no data lines" $DID $D/header-only.tsv
cb dup-column; sed -i '1s/\tf2\t/\tf1\t/' $D/dup-column.tsv
e cells-duplicate-column 65 dup-column.tsv "line 1" "'f1'" $DID $D/dup-column.tsv
cb utf8; sed -i '7s/\t[^\t]*$/\t0.5\xff/' $D/utf8.tsv
e cells-invalid-utf8-value 65 utf8.tsv "line 7" "column 'f3' (field 7): '0.5" $DID $D/utf8.tsv
cb utf8-header; sed -i '1s/\tf2\t/\tf\xff2\t/' $D/utf8-header.tsv
e cells-invalid-utf8-header 65 utf8-header.tsv "line 1" "field 6 is not UTF-8 text" $DID $D/utf8-header.tsv
cb arm-flip; sed -i '0,/\tP001\tV2\tTreated/s//\tP001\tV2\tControl/' $D/arm-flip.tsv
e cells-arm-changes 65 arm-flip.tsv "line" "arm" $DID $D/arm-flip.tsv
gzip -n -c $D/ok.tsv > $D/ok.tsv.gz
head -c 60 $D/ok.tsv.gz > $D/truncated.tsv.gz
e cells-truncated-gzip 65 truncated.tsv.gz - "gzip" $DID $D/truncated.tsv.gz
cp $D/ok.tsv.gz $D/corrupt.tsv.gz; poke $D/corrupt.tsv.gz 30 ff; poke $D/corrupt.tsv.gz 31 ff; poke $D/corrupt.tsv.gz 32 ff
e cells-corrupt-gzip 65 corrupt.tsv.gz - "gzip" $DID $D/corrupt.tsv.gz
tr '\t' ',' < $D/ok.tsv | sed '3s/,[^,]*$/,"0.5/' > $D/quote.csv
e cells-unclosed-quote 65 quote.csv "line 3" "field 7 opens a quote that is not closed" $DID $D/quote.csv
rm -f $D/ok.tsv.gz

# ---------------------------------------------------------------- gene sets (GMT)
G=gmt
GM="$DID $D/ok.tsv --gene-sets"
printf 'set1\tdesc\tf1\tf2\tf3\nset2\tdesc\tf1\tf3\tf2\n' > $G/ok.gmt
printf 'set1\tdesc\tf1\tf2\tf3\nset2\n' > $G/ragged.gmt
e gmt-ragged 65 ragged.gmt "line 2" "expected GMT: set name, description, then genes" $GM $G/ragged.gmt
: > $G/empty.gmt
e gmt-empty 65 empty.gmt - "no gene set in the file" $GM $G/empty.gmt
printf 'set1\tdesc\tf1\tf2\tf3\nset1\tdesc\tf1\tf3\n' > $G/dup.gmt
e gmt-duplicate-set 65 dup.gmt "line 2" "'set1' is defined twice (lines 1 and 2)" $GM $G/dup.gmt
printf 'set1\tdesc\tf1\tf2\tf3\nset\xff\tdesc\tf1\n' > $G/utf8.gmt
e gmt-invalid-utf8 65 utf8.gmt "line 2" "not UTF-8" $GM $G/utf8.gmt

# ---------------------------------------------------------------- peg inputs
Q=peg
"$B" simulate peg --instruments 12 --focal 2 --chromosomes 2 --ref-samples 40 --gwas-samples 1000 --seed 1 --out $Q/ok > /dev/null
rm -f $Q/ok/truth.tsv
PG="peg --eqtl $Q/ok/eqtl.tsv --perturb $Q/ok/perturb.tsv --ref-geno $Q/ok/ref_chr* --top-signal 1 --min-snps 2 --perm-number 10 --out @OUT@/peg --gwas"
PE="peg --gwas $Q/ok/gwas.tsv --perturb $Q/ok/perturb.tsv --ref-geno $Q/ok/ref_chr* --top-signal 1 --min-snps 2 --perm-number 10 --out @OUT@/peg --eqtl"
PP="peg --gwas $Q/ok/gwas.tsv --eqtl $Q/ok/eqtl.tsv --ref-geno $Q/ok/ref_chr* --top-signal 1 --min-snps 2 --perm-number 10 --out @OUT@/peg --perturb"
gcol() { head -1 $Q/ok/gwas.tsv | tr '\t' '\n' | grep -nx "$1" | cut -d: -f1; }
cp $Q/ok/gwas.tsv $Q/gwas-ragged.tsv; sed -i '4s/\t[^\t]*$//' $Q/gwas-ragged.tsv
e gwas-ragged 65 gwas-ragged.tsv "line 4" "fields" $PG $Q/gwas-ragged.tsv
cp $Q/ok/gwas.tsv $Q/gwas-words.tsv; b=$(gcol BETA); awk -v c=$b 'BEGIN{FS=OFS="\t"} NR==3{$c="abc"} {print}' $Q/ok/gwas.tsv > $Q/gwas-words.tsv
e gwas-non-numeric 65 gwas-words.tsv "line 3" "'abc'" $PG $Q/gwas-words.tsv
sed '1s/\tBETA\t/\tEFFECT\t/' $Q/ok/gwas.tsv > $Q/gwas-no-beta.tsv
e gwas-missing-column 65 gwas-no-beta.tsv "line 1" "BETA" $PG $Q/gwas-no-beta.tsv
head -1 $Q/ok/gwas.tsv > $Q/gwas-header-only.tsv
e gwas-header-only 65 gwas-header-only.tsv - "no" $PG $Q/gwas-header-only.tsv
: > $Q/gwas-empty.tsv
e gwas-empty 65 gwas-empty.tsv - "empty" $PG $Q/gwas-empty.tsv
sed '5s/\t/\t\xff/' $Q/ok/gwas.tsv > $Q/gwas-utf8.tsv
e gwas-invalid-utf8 65 gwas-utf8.tsv "line 5" "not UTF-8" $PG $Q/gwas-utf8.tsv
sed '3s/\t[^\t]*$//' $Q/ok/eqtl.tsv > $Q/eqtl-ragged.tsv
e eqtl-ragged 65 eqtl-ragged.tsv "line 3" "fields" $PE $Q/eqtl-ragged.tsv
sed '1s/\tZ\t/\tZED\t/; 1s/\tZ$/\tZED/' $Q/ok/eqtl.tsv > $Q/eqtl-no-z.tsv
e eqtl-missing-column 65 eqtl-no-z.tsv "line 1" "Z" $PE $Q/eqtl-no-z.tsv
sed '3s/\t[^\t]*$//' $Q/ok/perturb.tsv > $Q/perturb-ragged.tsv
e perturb-ragged 65 perturb-ragged.tsv "line 3" "fields" $PP $Q/perturb-ragged.tsv
awk 'BEGIN{FS=OFS="\t"} NR==4{$2="abc"} {print}' $Q/ok/perturb.tsv > $Q/perturb-words.tsv
e perturb-non-numeric 65 perturb-words.tsv "line 4" "'abc'" $PP $Q/perturb-words.tsv
head -1 $Q/ok/perturb.tsv > $Q/perturb-header-only.tsv
e perturb-header-only 65 perturb-header-only.tsv - "no" $PP $Q/perturb-header-only.tsv
awk 'BEGIN{FS=OFS="\t"} NR==1{$3=$2} {print}' $Q/ok/perturb.tsv > $Q/perturb-dup-column.tsv
e perturb-duplicate-column 65 perturb-dup-column.tsv "line 1" "repeats the downstream gene name 'FOCAL_1'" $PP $Q/perturb-dup-column.tsv
mkdir -p $Q/badref; set +f; cp $Q/ok/ref_chr* $Q/badref/; set -f; poke $Q/badref/ref_chr1.bed 1 00
e peg-ref-wrong-magic 65 ref_chr1.bed - "expected 0x6c 0x1b" peg --gwas $Q/ok/gwas.tsv --eqtl $Q/ok/eqtl.tsv --perturb $Q/ok/perturb.tsv --ref-geno "$Q/badref/ref_chr*" --top-signal 1 --min-snps 2 --perm-number 10 --out @OUT@/peg
awk 'BEGIN{FS=OFS="\t"} NR==3{$3=$2-1} {print}' $Q/ok/genes.tsv > $Q/genes-reversed.tsv
e signal-annotation-end-before-start 65 genes-reversed.tsv "line 3" "is before start" signal --gwas $Q/ok/gwas.tsv --out @OUT@/sig --ref $Q/genes-reversed.tsv
e signal-gwas-ragged 65 gwas-ragged.tsv "line 4" "fields" signal --ref $Q/ok/genes.tsv --out @OUT@/sig --gwas $Q/gwas-ragged.tsv

# ---------------------------------------------------------------- ldsc inputs
L=ldsc
"$B" simulate ldsc --snps 100 --spots 4 --genes 8 --seed 1 --out $L/ok > /dev/null
rm -f $L/ok/truth.tsv
for f in sumstats snp_gene_weights.tsv w_ld.l2.ldscore; do gzip -dc $L/ok/$f.gz > $L/ok/${f%.gz}; rm $L/ok/$f.gz; done
mv $L/ok/sumstats $L/ok/sumstats.txt
LS="ldsc --ldscores $L/ok/snp_gene_weights.tsv --weights $L/ok/w_ld.l2.ldscore --gss $L/ok/gss.tsv --n-blocks 10 --out @OUT@/ldsc.tsv --sumstats"
LW="ldsc --sumstats $L/ok/sumstats.txt --weights $L/ok/w_ld.l2.ldscore --gss $L/ok/gss.tsv --n-blocks 10 --out @OUT@/ldsc.tsv --ldscores"
LU="ldsc --sumstats $L/ok/sumstats.txt --ldscores $L/ok/snp_gene_weights.tsv --gss $L/ok/gss.tsv --n-blocks 10 --out @OUT@/ldsc.tsv --weights"
LG="ldsc --sumstats $L/ok/sumstats.txt --ldscores $L/ok/snp_gene_weights.tsv --weights $L/ok/w_ld.l2.ldscore --n-blocks 10 --out @OUT@/ldsc.tsv --gss"
scol() { head -1 $L/ok/sumstats.txt | tr '\t ' '\n\n' | grep -nx "$1" | cut -d: -f1; }
z=$(scol Z); n=$(scol N)
awk -v c=$z 'BEGIN{OFS="\t"} NR==4{$c="abc"} {print}' $L/ok/sumstats.txt > $L/sumstats-words.txt
e sumstats-non-numeric 65 sumstats-words.txt "line 4" "'abc'" $LS $L/sumstats-words.txt
awk -v c=$z 'BEGIN{OFS="\t"} NR==5{$c="inf"} {print}' $L/ok/sumstats.txt > $L/sumstats-inf.txt
e sumstats-inf 65 sumstats-inf.txt "line 5" "'inf'" $LS $L/sumstats-inf.txt
awk -v c=$n 'BEGIN{OFS="\t"} NR==6{$c="nan"} {print}' $L/ok/sumstats.txt > $L/sumstats-nan-n.txt
e sumstats-nan-n 65 sumstats-nan-n.txt "line 6" "'nan'" $LS $L/sumstats-nan-n.txt
awk -v c=$n 'BEGIN{OFS="\t"} NR==7{$c="-3"} {print}' $L/ok/sumstats.txt > $L/sumstats-negative-n.txt
e sumstats-negative-n 65 sumstats-negative-n.txt "line 7" "'-3'" $LS $L/sumstats-negative-n.txt
awk -v c=$z 'BEGIN{OFS="\t"} NR==8{$c="1e999"} {print}' $L/ok/sumstats.txt > $L/sumstats-huge.txt
e sumstats-huge 65 sumstats-huge.txt "line 8" "'1e999'" $LS $L/sumstats-huge.txt
sed '1s/\bZ\b/ZSCORE/' $L/ok/sumstats.txt > $L/sumstats-no-z.txt
e sumstats-missing-column 65 sumstats-no-z.txt "line 1" "Z" $LS $L/sumstats-no-z.txt
awk 'NR==9{NF=NF-1} {print}' OFS='\t' $L/ok/sumstats.txt > $L/sumstats-ragged.txt
e sumstats-ragged 65 sumstats-ragged.txt "line 9" "fields" $LS $L/sumstats-ragged.txt
: > $L/sumstats-empty.txt
e sumstats-empty 65 sumstats-empty.txt - "empty" $LS $L/sumstats-empty.txt
sed '10s/^/\xff/' $L/ok/sumstats.txt > $L/sumstats-utf8.txt
e sumstats-invalid-utf8 65 sumstats-utf8.txt "line 10" "not UTF-8" $LS $L/sumstats-utf8.txt
gzip -n -c $L/ok/sumstats.txt | head -c 200 > $L/sumstats-truncated.gz
e sumstats-truncated-gzip 65 sumstats-truncated.gz "line" "truncated gzip" $LS $L/sumstats-truncated.gz
# (bad copies keep the first lines only: the reader stops at the bad line)
{ head -8 $L/ok/snp_gene_weights.tsv; line $L/ok/snp_gene_weights.tsv 2; } > $L/weights-dup.tsv
e ldscores-duplicate-pair 65 weights-dup.tsv "line 9" "appear twice" $LW $L/weights-dup.tsv
awk 'BEGIN{OFS="\t"} NR==3{$3="abc"} NR<=8{print}' $L/ok/snp_gene_weights.tsv > $L/weights-words.tsv
e ldscores-non-numeric 65 weights-words.tsv "line 3" "'abc'" $LW $L/weights-words.tsv
awk 'BEGIN{OFS="\t"} NR==4{$3="nan"} NR<=8{print}' $L/ok/snp_gene_weights.tsv > $L/weights-nan.tsv
e ldscores-nan 65 weights-nan.tsv "line 4" "'nan'" $LW $L/weights-nan.tsv
awk 'BEGIN{OFS="\t"} NR==5{$3="inf"} NR<=8{print}' $L/ok/snp_gene_weights.tsv > $L/weights-inf.tsv
e ldscores-inf 65 weights-inf.tsv "line 5" "'inf'" $LW $L/weights-inf.tsv
awk 'BEGIN{OFS="\t"} NR==1{$0=$0"\tL2b"} NR>1{$0=$0"\t1"} {print}' $L/ok/w_ld.l2.ldscore > $L/wld-two.l2.ldscore
e w-ld-two-columns 65 wld-two.l2.ldscore - "must have one LD score column, it has L2 L2b" $LU $L/wld-two.l2.ldscore
awk 'BEGIN{OFS="\t"} NR==3{$4="abc"} {print}' $L/ok/w_ld.l2.ldscore > $L/wld-words.l2.ldscore
e w-ld-non-numeric 65 wld-words.l2.ldscore "line 3" "'abc'" $LU $L/wld-words.l2.ldscore
awk 'BEGIN{OFS="\t"} NR==3{$2="-1"} {print}' $L/ok/gss.tsv > $L/gss-negative.tsv
e gss-negative 65 gss-negative.tsv "line 3" "-1" $LG $L/gss-negative.tsv
awk 'BEGIN{OFS="\t"} NR==3{$2="nan"} {print}' $L/ok/gss.tsv > $L/gss-nan.tsv
e gss-nan 65 gss-nan.tsv "line 3" "nan" $LG $L/gss-nan.tsv
sed '4s/\t[^\t]*$//' $L/ok/gss.tsv > $L/gss-ragged.tsv
e gss-ragged 65 gss-ragged.tsv "line 4" "fields" $LG $L/gss-ragged.tsv
{ cat $L/ok/gss.tsv; line $L/ok/gss.tsv 2; } > $L/gss-dup.tsv
e gss-duplicate-gene 65 gss-dup.tsv "line" "twice" $LG $L/gss-dup.tsv
# ldsc-merge: shards of the ok inputs (spots 0:2 and 2:4), then damaged copies.
ldsc_shard() { "$B" ldsc --sumstats $L/ok/sumstats.txt --ldscores $L/ok/snp_gene_weights.tsv --weights $L/ok/w_ld.l2.ldscore --gss $L/ok/gss.tsv --n-blocks 10 --spot-range "$1" --out "$2" > /dev/null 2>&1; }
ldsc_shard 0:2 $L/shard0.tsv; ldsc_shard 2:4 $L/shard1.tsv
head -n -1 $L/shard1.tsv > $L/shard1-cut.tsv
e merge-truncated-shard 65 shard1-cut.tsv - "2:4" ldsc-merge --out @OUT@/all.tsv $L/shard0.tsv $L/shard1-cut.tsv
e merge-gap 65 shard1.tsv - "are missing" ldsc-merge --out @OUT@/all.tsv $L/shard1.tsv
e merge-overlap 65 shard0.tsv - "overlap" ldsc-merge --out @OUT@/all.tsv $L/shard0.tsv $L/shard0.tsv $L/shard1.tsv
tail -n +2 $L/shard0.tsv > $L/shard0-no-settings.tsv
e merge-no-settings-line 65 shard0-no-settings.tsv "line 1" "# genobench ldsc" ldsc-merge --out @OUT@/all.tsv $L/shard0-no-settings.tsv $L/shard1.tsv
awk 'BEGIN{OFS="\t"} NR==3{$2="abc"} {print}' $L/shard0.tsv > $L/shard0-words.tsv
e merge-non-numeric 65 shard0-words.tsv "line 3" "'abc'" ldsc-merge --out @OUT@/all.tsv $L/shard0-words.tsv $L/shard1.tsv

# ---------------------------------------------------------------- suites (TOML)
S=suite
RUN="run --quiet --db @OUT@/s.sqlite"
printf 'name = "ok"\nrepeats = 1\nwarmup = 0\n[[problems]]\nfamily = "ld"\nbackends = ["naive-f64"]\n[problems.params]\nsamples = 20\nvariants = 10\n' > $S/ok.toml
printf 'name = "bad"\nrepeats = 1\n[[problems]\nfamily = "ld"\n' > $S/malformed.toml
e suite-malformed 64 malformed.toml "line 3" "malformed TOML" $RUN $S/malformed.toml
printf 'name = "bad"\nrepeats = 1\nwarmup = 0\n[[problems]]\nfamily = "ld"\nbackends = ["warp-f64"]\n' > $S/unknown-backend.toml
e suite-unknown-backend 64 unknown-backend.toml "problems[1]" "unknown backend 'warp-f64'" $RUN $S/unknown-backend.toml
# found by Fuzz/FuzzSuite: toml++ aborted (SIGABRT) on a header that does not start with a key
printf 'name = "bad"\nrepeats = 1\nwarmup = 0\n[{problems]]\nfamily = "ldx"\n' > $S/header-brace.toml
e suite-header-not-a-key 64 header-brace.toml "line 4" "a table header needs a key after '[', found '{'" $RUN $S/header-brace.toml
printf '\xef\xbb\xbf[\xef\xb9\xbfn' > $S/header-after-bom.toml
e suite-header-after-bom 64 header-after-bom.toml "line 1" "a table header needs a key" $RUN $S/header-after-bom.toml
printf 'name = "bad"\nrepeats = [}]\n' > $S/brace-in-array.toml
e suite-brace-in-array 64 brace-in-array.toml "line 2" "'}' inside an array" $RUN $S/brace-in-array.toml
printf 'name = "bad"\nrepeats =\xc2\xa03\n' > $S/nbsp.toml
e suite-non-ascii-whitespace 64 nbsp.toml "line 2" "U+00A0 outside a string" $RUN $S/nbsp.toml
printf 'name = "bad"\nrepeats = [2000-01-01 2]\n' > $S/date-space.toml
e suite-broken-date-time 64 date-space.toml "line 2" "expected a date-time" $RUN $S/date-space.toml
printf 'name = "bad"\n[[ [problems]]]\n' > $S/header-bracket.toml
e suite-header-bracket 64 header-bracket.toml "line 2" "found '['" $RUN $S/header-bracket.toml
printf 'name = "ok"\nrepeats = 1\nwarmup = 0\n[[problems]]\nfamily = "ld"\nbackends = ["naive-f64"]\n[problems.params]\nsamples = [\n[20, 30]\n]\nvariants = 10\n' > $S/array-not-header.toml
e suite-nested-array-is-not-a-header 64 array-not-header.toml "problems[1]" "samples" $RUN $S/array-not-header.toml
printf 'name = "bad"\nrepeats = 1\nwarmup = 0\n[[problems]]\nfamily = "ldx"\n' > $S/unknown-family.toml
e suite-unknown-family 64 unknown-family.toml "problems[1]" "ldx" $RUN $S/unknown-family.toml
printf 'name = "bad"\nrepeats = "three"\n[[problems]]\nfamily = "ld"\n' > $S/wrong-type.toml
e suite-wrong-type 64 wrong-type.toml - "repeats" $RUN $S/wrong-type.toml
printf 'name = "bad"\nrepeats = 99999999999999999999\n[[problems]]\nfamily = "ld"\n' > $S/huge.toml
e suite-huge-integer 64 huge.toml "line 2" "malformed TOML" $RUN $S/huge.toml
printf 'name = "bad"\nrepeats = 1\nwarmup = 0\n[[problems]]\nfamily = "ld"\nbackends = ["naive-f64"]\n[problems.params]\nsamples = nan\n' > $S/nan.toml
e suite-nan-parameter 64 nan.toml "problems[1]" "samples" $RUN $S/nan.toml
: > $S/empty.toml
e suite-empty 64 empty.toml - "'name'" $RUN $S/empty.toml
printf 'name = "b\xffd"\n' > $S/utf8.toml
e suite-invalid-utf8 64 utf8.toml - "not UTF-8" $RUN $S/utf8.toml
printf 'name = "bad"\nrepeats = 1\nwarmup = 0\n[[problems]]\nfamily = "ld"\nbackends = ["naive-f64"]\n[problems.tolerances]\nr2_max_abs = "tiny"\n' > $S/tolerance.toml
e suite-non-numeric-tolerance 64 tolerance.toml "problems[1]" "r2_max_abs" $RUN $S/tolerance.toml

# ---------------------------------------------------------------- simulate (invalid requests leave nothing)
e simulate-ld-no-samples 64 - - "--samples" simulate ld --samples 0 --variants 5 --seed 1 --out @OUT@/g
e simulate-reml-h2 64 - - "--h2" simulate reml --samples 10 --variants 5 --h2 1.5 --seed 1 --out @OUT@/r
e simulate-did-participants 64 - - "participants" simulate did --participants 1 --cells-per-sample 2 --features 2 --seed 1 --out @OUT@/c.tsv
e simulate-peg-focal 64 - - "focal" simulate peg --instruments 5 --focal 0 --seed 1 --out @OUT@/p
e simulate-ldsc-spots 64 - - "spots" simulate ldsc --snps 100 --spots 0 --seed 1 --out @OUT@/l

echo "wrote $(pwd): $(($(wc -l < $M) - 1)) entries in $M, $(du -sk . | cut -f1) KiB"
