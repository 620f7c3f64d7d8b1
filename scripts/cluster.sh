#!/usr/bin/env bash
# Integration test of `genobench slurm` on a one-node Slurm cluster on this machine (as root):
#   1. installs slurm-wlm and munge from Debian's packages if missing (idempotent);
#   2. starts munged (if no munge daemon answers), slurmctld and slurmd on localhost with a
#      minimal slurm.conf (NodeName=localhost with this machine's CPUs and memory, one partition,
#      ports 16817/16818) in a scratch directory; the daemons it started are stopped on exit;
#   3. writes a seconds-long suite, `genobench slurm --shards 3`, submits the generated submit
#      script (array of 3 shards + a merge job with --dependency=afterok), waits (with a timeout);
#   4. runs the same suite in one process and checks `genobench diff` of the two stores (same
#      problems, backends, repeats, statuses, estimates and metrics) and that the merged store
#      holds one finished invocation that `genobench report compare` can read.
# Usage: scripts/cluster.sh [GENOBENCH_BINARY]   (default: builds and uses .build/debug/genobench)
# Environment: CLUSTER_TIMEOUT (seconds to wait for the jobs, default 300), CLUSTER_DIR (scratch).
set -euo pipefail
cd "$(dirname "$0")/.."
TIMEOUT=${CLUSTER_TIMEOUT:-300}
D=${CLUSTER_DIR:-/tmp/genobench-cluster}
say() { echo "cluster.sh: $*"; }
fail() { echo "cluster.sh: FAILED: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "run as root (it installs packages and starts the Slurm daemons)"
    exec sudo -E bash "$0" "$@"
fi

# 1. Packages.
missing=""
for p in slurm-wlm munge; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
    say "installing$missing"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
fi

# The genobench binary.
if [ $# -ge 1 ]; then BIN=$(readlink -f "$1"); else
    swift build --product genobench >/dev/null
    BIN=$(readlink -f .build/debug/genobench)
fi
[ -x "$BIN" ] || fail "no genobench executable at $BIN"

# 2. Daemons (first stopping any this script left behind in $D).
for f in "$D/slurmd.pid" "$D/slurmctld.pid"; do
    if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
done
sleep 0.5
rm -rf "$D"; mkdir -p "$D/state" "$D/spool" "$D/work"
started_munge=0
if ! (munge -n | unmunge) >/dev/null 2>&1; then
    say "starting munged"
    [ -s /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || \
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; }
    chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge; chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged
    started_munge=1
    for _ in $(seq 50); do (munge -n | unmunge) >/dev/null 2>&1 && break; sleep 0.1; done
    (munge -n | unmunge) >/dev/null 2>&1 || fail "munged does not answer (see /var/log/munge/munged.log)"
fi
CPUS=$(nproc)
MEM_MB=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
CTL_PORT=${CLUSTER_CTL_PORT:-16817}
SLURMD_PORT=${CLUSTER_SLURMD_PORT:-16818}
cat > "$D/slurm.conf" <<CONF
ClusterName=genobench
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$CTL_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=genobench Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$D/slurm.conf"
stop_daemons() {
    local pids=""
    for f in "$D/slurmd.pid" "$D/slurmctld.pid"; do
        if [ -s "$f" ]; then pids="$pids $(cat "$f")"; fi
    done
    if [ "$started_munge" -eq 1 ] && [ -s /run/munge/munged.pid ]; then pids="$pids $(cat /run/munge/munged.pid)"; fi
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for _ in $(seq 100); do   # up to 10 s for them to save state and exit
        alive=0
        for p in $pids; do if kill -0 "$p" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null; then alive=1; fi; done
        [ $alive -eq 0 ] && break
        sleep 0.1
    done
}
trap stop_daemons EXIT
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF" -N localhost
ready=0
for _ in $(seq 100); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then ready=1; break; fi
    sleep 0.2
done
[ $ready -eq 1 ] || { tail -20 "$D/slurmctld.log" "$D/slurmd.log" >&2 || true; fail "the Slurm node did not become idle"; }
say "slurm up: $(sinfo -h -o '%P %D %t %c CPUs %m MB')"

# 3. A seconds-long suite, in 3 shards through Slurm.
cat > "$D/work/tiny.toml" <<'TOML'
name = "cluster-tiny"
repeats = 2
warmup = 0

[[problems]]
family = "ld"
backends = ["naive-f64", "tiled-f64", "tiled-f32"]
seeds = [1, 2]
[problems.params]
samples = 60
variants = 40
r2-min = 0
block-size = 10
subproblems = 3

[[problems]]
family = "did"
backends = "all"
seeds = [1]
[problems.params]
participants = 8
cells-per-sample = 5
features = 4
TOML
cd "$D/work"
t0=$(date +%s)
"$BIN" slurm tiny.toml --shards 3 --out job.sh --db merged.sqlite --binary "$BIN" --time 00:05:00 --cpus-per-task 1 \
    --mem 1000 --partition genobench --batch cluster-test
submitted=$(bash job.submit.sh)
say "$submitted"
merge_job=$(echo "$submitted" | sed -n 's/.*merge job \([0-9]*\).*/\1/p')
[ -n "$merge_job" ] || fail "the submit script did not report a merge job: $submitted"
deadline=$(( $(date +%s) + TIMEOUT ))
while squeue -h -o '%i' | grep -q .; do
    if squeue -h -o '%r' | grep -q DependencyNeverSatisfied; then
        cat job.*.log >&2 || true; scancel --user=root || true
        fail "a shard task failed, so the merge job can never start (logs above)"
    fi
    [ "$(date +%s)" -lt "$deadline" ] || { squeue >&2; scancel --user=root || true; fail "jobs still queued or running after ${TIMEOUT}s"; }
    sleep 1
done
say "jobs done in $(( $(date +%s) - t0 )) s"
for log in job.*.log; do
    if grep -q "genobench: error\|slurmstepd: error" "$log"; then echo "--- $log"; cat "$log"; fi
done
[ -s merged.sqlite ] || { cat job.*.log >&2 || true; fail "the merge job wrote no merged.sqlite"; }

# 4. The same suite in one process; compare.
"$BIN" run tiny.toml --db single.sqlite --quiet > single.txt
"$BIN" diff merged.sqlite single.sqlite || fail "the merged shards differ from the single-process run"
"$BIN" report compare --db merged.sqlite > compare.md || fail "report compare cannot read the merged store"
"$BIN" merge shard-unused.sqlite --into x.sqlite >/dev/null 2>&1 && fail "merging a missing store succeeded"
say "ok: 3 Slurm shards merged equal one process; total $(( $(date +%s) - t0 )) s after the daemons started"
