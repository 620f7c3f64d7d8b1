# GenoBench: the two commands of the README.
#   make run   installs system packages if missing, builds release, runs suites/default.toml
#              into reports/genobench.sqlite and prints the summary.
#   make test  installs the same packages, then runs every test.
SHELL := /bin/bash
APT_PACKAGES := libopenblas-dev libgsl-dev libsqlite3-dev zlib1g-dev pkg-config
DB ?= reports/genobench.sqlite
SUITE ?= suites/default.toml

.PHONY: run test deps build release clean

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

test: deps
	swift test --disable-swift-testing

clean:
	rm -rf .build
