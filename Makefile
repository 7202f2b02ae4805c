# CryptoFramework — the README's two commands are `make bench` and `make test`.
# Both first run `deps`, which installs missing Debian packages when run as
# root and otherwise says exactly what to install.

SWIFT ?= swift
APT_PACKAGES := pkg-config libssl-dev libgmp-dev libsodium-dev openssl libp11-kit-dev softhsm2 strongswan-charon strongswan-swanctl libstrongswan-standard-plugins libstrongswan-extra-plugins
# pkg-config module -> Debian package providing it
PC_MODULES := libcrypto:libssl-dev gmp:libgmp-dev libsodium:libsodium-dev p11-kit-1:libp11-kit-dev
# file the PKCS#11 tests load -> Debian package providing it (SoftHSM2, a real token)
FILES := /usr/lib/softhsm/libsofthsm2.so:softhsm2 /usr/bin/softhsm2-util:softhsm2 \
	/usr/lib/ipsec/charon:strongswan-charon /usr/sbin/swanctl:strongswan-swanctl \
	/usr/lib/ipsec/plugins/libstrongswan-openssl.so:libstrongswan-standard-plugins

.PHONY: all deps build release test example bench bench-serve clean

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
	$(MAKE) bench-serve

# `ikebench serve` answering strongSwan initiators on loopback (needs root for
# charon's private /run): negotiations/s and Phase I p50 next to its four
# public-key operations. BENCH_SERVE_INITIATORS charons for BENCH_SERVE_SECONDS.
BENCH_SERVE_INITIATORS ?= 2
BENCH_SERVE_SECONDS ?= 10
bench-serve: release
	scripts/bench-serve.sh $(BENCH_SERVE_INITIATORS) $(BENCH_SERVE_SECONDS) .build/release/ikebench

clean:
	rm -rf .build
