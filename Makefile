# CryptoFramework — the README's two commands are `make bench` and `make test`.
# Both first run `deps`, which installs missing Debian packages when run as
# root and otherwise says exactly what to install.

SWIFT ?= swift
APT_PACKAGES := pkg-config libssl-dev libgmp-dev libsodium-dev openssl libp11-kit-dev softhsm2 \
	opensc gnutls-bin libengine-pkcs11-openssl gcc
# pkg-config module -> Debian package providing it
PC_MODULES := libcrypto:libssl-dev gmp:libgmp-dev libsodium:libsodium-dev p11-kit-1:libp11-kit-dev
# file the PKCS#11 tests load -> Debian package providing it (SoftHSM2, a real token)
FILES := /usr/lib/softhsm/libsofthsm2.so:softhsm2 /usr/bin/softhsm2-util:softhsm2 \
	/usr/bin/pkcs11-tool:opensc /usr/bin/p11tool:gnutls-bin \
	/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so:libengine-pkcs11-openssl /usr/bin/cc:gcc

.PHONY: all deps build release test example bench bench-pkcs11 pkcs11-module clean

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
# PKCS11ModuleTests run outside clients against the module's .so, which
# `swift test` does not link: build it first.
test: deps
	$(MAKE) example
	$(SWIFT) build --product CryptoFrameworkPKCS11
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
	$(MAKE) bench-pkcs11

# The PKCS#11 module: .build/release/libCryptoFrameworkPKCS11.so (README "PKCS#11 module").
pkcs11-module: deps
	$(SWIFT) build -c release --product CryptoFrameworkPKCS11

# RSA-2048 sign/verify per second through the module from C against the Swift API.
bench-pkcs11: pkcs11-module
	$(SWIFT) build -c release --product pkcs11-speed
	cc -O2 -o .build/release/pkcs11_speed Benchmarks/PKCS11/pkcs11_speed.c $$(pkg-config --cflags p11-kit-1) -ldl
	.build/release/pkcs11-speed .build/release/pkcs11_speed

clean:
	rm -rf .build
