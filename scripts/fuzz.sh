#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ and runs each for RUNS executions, one target at a time
# (at nice 19: it is CPU-bound and the machine is shared), seeded with the hostile corpus and
# small valid files; prints one line per target and a table for the README.
#
#   bash scripts/fuzz.sh [TARGET...]          (default: every target)
#   RUNS=1000000 MAX_LEN=4096 bash scripts/fuzz.sh FuzzSuite
#
# Working corpora (inputs libFuzzer found interesting) go to Fuzz/corpus/TARGET, crash inputs
# to Fuzz/artifacts/ (both ignored by git); logs to Fuzz/.build/fuzz-logs/. Exit status 1 when
# any target crashed, timed out or ran out of memory.
set -euo pipefail
# libFuzzer, not the Swift runtime backtracer, must catch a crash to save its input.
export SWIFT_BACKTRACE=enable=no
cd "$(dirname "$0")/.."
RUNS=${RUNS:-1000000}
MAX_LEN=${MAX_LEN:-4096}
H=reference-data/hostile
ALL=(FuzzPlink FuzzSampleFiles FuzzComponents FuzzCellTable FuzzGMT FuzzLDSC FuzzPEG FuzzSuite)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

seeds() {
    case $1 in
        FuzzPlink) echo $H/plink $H/peg/ok reference-data/ld-small ;;
        FuzzSampleFiles) echo $H/pheno reference-data/reml-small ;;
        FuzzComponents) echo $H/components reference-data/reml-two ;;
        FuzzCellTable) echo $H/did reference-data/did-small ;;
        FuzzGMT) echo $H/gmt ;;
        FuzzLDSC) echo $H/ldsc $H/ldsc/ok ;;
        FuzzPEG) echo $H/peg $H/peg/ok ;;
        FuzzSuite) echo $H/suite suites ;;
    esac
}

(cd Fuzz && nice -n 19 swift build -c release --sanitize=fuzzer)
BIN=Fuzz/.build/release
mkdir -p Fuzz/artifacts Fuzz/.build/fuzz-logs
status=0
rows=()
for t in "${TARGETS[@]}"; do
    corpus=Fuzz/corpus/$t
    mkdir -p "$corpus"
    for d in $(seeds "$t"); do
        find "$d" -maxdepth 1 -type f -size -64k ! -name '*.sqlite' -exec cp {} "$corpus/" \;
    done
    log=Fuzz/.build/fuzz-logs/$t.log
    marker=Fuzz/.build/fuzz-logs/$t.start
    touch "$marker"
    started=$(date +%s)
    set +e
    SWIFT_BACKTRACE=enable=no nice -n 19 "$BIN/$t" -runs="$RUNS" -max_len="$MAX_LEN" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="Fuzz/artifacts/$t-" "$corpus" > "$log" 2>&1
    rc=$?
    set -e
    seconds=$(( $(date +%s) - started ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    crashes=$(find Fuzz/artifacts -name "$t-*" -newer "$marker" | wc -l)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    [ "$rc" -ne 0 ] && status=1
    line="$t: ${execs:-0} executions in ${seconds} s, coverage ${cov:-?} edges, ${crashes} crash inputs, exit ${rc}"
    echo "$line"
    [ "$rc" -ne 0 ] && grep -m3 -E "ERROR|Fatal error|deadly signal|timeout" "$log" || true
    rows+=("| \`$t\` | ${execs:-0} | ${seconds} | ${cov:-?} | ${crashes} |")
done
echo
echo "| target | executions | seconds | coverage (edges) | crashes |"
echo "| --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
exit $status
