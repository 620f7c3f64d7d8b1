# GenoBench: the two commands of the README.
#   make run   installs system packages if missing, builds release, runs suites/default.toml
#              into reports/genobench.sqlite and prints the summary.
#   make report  runs suites/report.toml and regenerates the example reports in reports/.
#   make test  installs the same packages, then runs every test and `genobench validate`
#              (every backend against the golden references in reference-data/).
#   make test-cluster  the Slurm job-array integration test (scripts/cluster.sh).
#   make fuzz  (optional, slow, not in `make test` or CI) builds Fuzz/ with libFuzzer and runs
#              every parser target for FUZZ_RUNS executions (scripts/fuzz.sh).
SHELL := /bin/bash
APT_PACKAGES := libopenblas-dev libgsl-dev libsqlite3-dev pkg-config zlib1g-dev
DB ?= reports/genobench.sqlite
SUITE ?= suites/default.toml

.PHONY: run test test-cluster report deps build release clean fuzz

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$missing; \
	fi

release: deps
	swift build -c release --product genobench

run: release
	mkdir -p reports
	.build/release/genobench run $(SUITE) --db $(DB)

# Regenerates the committed example reports in reports/ (see reports/README.md).
report: release
	bash scripts/make-report.sh .build/release/genobench

test: deps
	swift test --disable-swift-testing
	swift build --product genobench
	.build/debug/genobench validate --dir reference-data

# Slurm integration test (root; installs slurm-wlm and munge, starts a one-node cluster on
# localhost, runs a tiny suite as a 3-shard job array plus a dependent merge job, compares with
# one process). About 15 s once the packages are installed, ~1 min to install them.
test-cluster: deps
	swift build --product genobench
	bash scripts/cluster.sh .build/debug/genobench

FUZZ_RUNS ?= 1000000
fuzz: deps
	RUNS=$(FUZZ_RUNS) bash scripts/fuzz.sh

clean:
	rm -rf .build
