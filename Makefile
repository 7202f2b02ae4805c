# CryptoFramework — the README's two commands are `make bench` and `make test`.
# Both first run `deps`, which installs missing Debian packages when run as
# root and otherwise says exactly what to install.

SWIFT ?= swift
# bash: the sanitizer targets read PIPESTATUS.
SHELL := /bin/bash
APT_PACKAGES := pkg-config libssl-dev libgmp-dev libsodium-dev openssl libp11-kit-dev softhsm2
# pkg-config module -> Debian package providing it
PC_MODULES := libcrypto:libssl-dev gmp:libgmp-dev libsodium:libsodium-dev p11-kit-1:libp11-kit-dev
# file the PKCS#11 tests load -> Debian package providing it (SoftHSM2, a real token)
FILES := /usr/lib/softhsm/libsofthsm2.so:softhsm2 /usr/bin/softhsm2-util:softhsm2

.PHONY: all deps build release test example bench clean sanitize sanitize-thread sanitize-address fuzz

all: build

deps:
	@missing=""; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	for pair in $(PC_MODULES); do \
	  mod=$${pair%%:*}; pkg=$${pair##*:}; \
	  pkg-config --exists $$mod 2>/dev/null || missing="$$missing $$pkg"; \
	done; \
	for pair in $(FILES); do \
	  file=$${pair%%:*}; pkg=$${pair##*:}; \
	  [ -e $$file ] || case " $$missing " in *" $$pkg "*) ;; *) missing="$$missing $$pkg";; esac; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "make deps: missing packages:$$missing"; \
	    echo "install them with: sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi; \
	command -v $(SWIFT) >/dev/null 2>&1 || { echo "make deps: no Swift toolchain on PATH (swift 6.1 or newer is needed)"; exit 1; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The example first, so the test runner's summary is the last thing printed.
test: deps
	$(MAKE) example
	$(SWIFT) test

# The out-of-tree provider example: a package that depends on this one by path.
example: deps
	cd Examples/CountingDigestProvider && $(SWIFT) run counting-digest-demo

# IKE Phase I with and without ncp/0 (the 2007 experiment) on the published T1
# latencies, in the configuration that explains both 2007 figures; the table of
# what each possible 2007 configuration implies; the speed table.
bench: release
	.build/release/ikebench compare
	.build/release/ikebench calibrate
	.build/release/ikebench speed --vs-openssl

# Sanitizers (README "Sanitizers"): the concurrency suites under ThreadSanitizer,
# then the whole suite under AddressSanitizer, each in a build directory of its
# own. Any report fails the target; the logs stay in the build directories.
TSAN_SUITES := PolicyFlipStressTests|NCPLoadTests|NCPFaultTests|PKCS11ProviderTests|PKCS11IKETests|AsyncWaitTests|PolicyReloadTests|RegistryTests|IKEConcurrencyTests
sanitize: sanitize-thread sanitize-address

sanitize-thread: deps
	@mkdir -p .build-tsan
	TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 $$TSAN_OPTIONS" \
	  $(SWIFT) test --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_SUITES)' 2>&1 | tee .build-tsan/tsan.log; \
	  status=$${PIPESTATUS[0]}; reports=$$(grep -c '^WARNING: ThreadSanitizer' .build-tsan/tsan.log); \
	  echo "make sanitize-thread: exit $$status, $$reports ThreadSanitizer reports (.build-tsan/tsan.log)"; \
	  [ $$status -eq 0 ] && [ $$reports -eq 0 ]

# Leak checking stays on: LeakSanitizer runs at exit of the test process; the
# suppressions name two leaks inside the toolchain's libraries (see the file).
sanitize-address: deps
	@mkdir -p .build-asan
	ASAN_OPTIONS="detect_leaks=1 $$ASAN_OPTIONS" LSAN_OPTIONS="suppressions=$(CURDIR)/Tests/lsan-suppressions.txt $$LSAN_OPTIONS" \
	  $(SWIFT) test --sanitize=address --scratch-path .build-asan 2>&1 | tee .build-asan/asan.log; \
	  status=$${PIPESTATUS[0]}; reports=$$(grep -c 'ERROR: \(AddressSanitizer\|LeakSanitizer\)' .build-asan/asan.log); \
	  echo "make sanitize-address: exit $$status, $$reports AddressSanitizer/LeakSanitizer reports (.build-asan/asan.log)"; \
	  [ $$status -eq 0 ] && [ $$reports -eq 0 ]

# libFuzzer over the parsers (Fuzz/README.md): each target FUZZ_SECONDS (default 60).
# `make test` replays the committed seeds and mutations of them through the same
# entry points (FuzzCorpusTests) instead of building the sanitized fuzzer.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run

clean:
	rm -rf .build .build-tsan .build-asan .build-fuzz
