#!/bin/sh
# make conformance: google/pkcs11test, an independent PKCS#11 conformance suite
# (330 gtest cases), against SoftHSM2 (the reference) and the framework's module
# on host, t2000 and t5220, each on a scratch token it may wipe (-I runs the token
# initialization tests too). The suite is not part of this project: build it
# from its own repository and give its program's path (PKCS11TEST=...).
# Prints passed/failed/skipped per module and every test that SoftHSM2 passes
# and the module does not, with its first failed check or skip reason
# (docs/conformance.md explains each). Logs and result lists stay in OUT.
# Usage: scripts/conformance.sh PKCS11TEST [MODULE] [OUT]
set -eu
SUITE=${1:-}
MODULE=$(realpath "${2:-.build/debug/libCryptoFrameworkPKCS11.so}")
OUT=${3:-.build/conformance}
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so
HERE=$(dirname "$0")
if [ -z "$SUITE" ] || [ ! -x "$SUITE" ]; then
  echo "conformance: give the path of google/pkcs11test's program: make conformance PKCS11TEST=/path/to/pkcs11test"
  echo "  (its repository's makefile builds it with g++; it is not part of this project)"
  exit 2
fi
[ -e "$MODULE" ] || { echo "conformance: $MODULE missing (swift build --product CryptoFrameworkPKCS11)"; exit 1; }
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
DIR=$(mktemp -d /tmp/conformance.XXXXXX)
trap 'rm -rf "$DIR"' EXIT INT TERM
SO=87654321
PIN=123456

# SoftHSM2 on a scratch token directory.
mkdir -p "$DIR/softhsm-tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$DIR/softhsm-tokens" > "$DIR/softhsm2.conf"
slot=$(SOFTHSM2_CONF="$DIR/softhsm2.conf" softhsm2-util --init-token --free --label conformance --so-pin $SO --pin $PIN | awk '/reassigned to slot/ { print $NF }')
(cd "$DIR" && SOFTHSM2_CONF="$DIR/softhsm2.conf" "$SUITE" -I -m "$(basename $SOFTHSM)" -l "$(dirname $SOFTHSM)" -s "$slot" -u $PIN -o $SO \
  > "$OUT/softhsm2.log" 2>&1 || true)

# The module, on each platform, with its own scratch keystore, policy and XDG dirs.
for platform in host t2000 t5220; do
  home="$DIR/$platform"
  mkdir -p "$home"
  (
    export HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data"
    export CRYPTOFRAMEWORK_KEYSTORE="$home/keystore" CRYPTOFRAMEWORK_CONF="$home/kcf.conf" CRYPTOFRAMEWORK_PLATFORM=$platform
    unset CRYPTOFRAMEWORK_TRACE CRYPTOFRAMEWORK_TRACE_FILE CRYPTOFRAMEWORK_KSTAT_DIR
    pkcs11-tool --module "$MODULE" --init-token --label conformance --so-pin $SO >/dev/null 2>&1
    pkcs11-tool --module "$MODULE" --init-pin --so-pin $SO --pin $PIN >/dev/null 2>&1
    cd "$home" && "$SUITE" -I -m "$(basename "$MODULE")" -l "$(dirname "$MODULE")" -s 0 -u $PIN -o $SO > "$OUT/$platform.log" 2>&1 || true
  )
done

for run in softhsm2 host t2000 t5220; do
  awk -f "$HERE/conformance-results.awk" "$OUT/$run.log" > "$OUT/$run.results"
done
printf '%-22s %7s %7s %8s\n' module passed failed skipped
for run in softhsm2 host t2000 t5220; do
  case $run in softhsm2) name="SoftHSM2 $(dpkg-query -W -f '${Version}' softhsm2 2>/dev/null | cut -d- -f1)";; *) name="ours, $run";; esac
  awk -v name="$name" '{ c[$2]++ } END { printf "%-22s %7d %7d %8d\n", name, c["PASS"], c["FAIL"], c["SKIP"] }' "$OUT/$run.results"
done
for platform in host t2000 t5220; do
  grep ' PASS' "$OUT/softhsm2.results" | cut -d' ' -f1 | sort > "$DIR/reference-passes"
  sort "$OUT/$platform.results" | join "$DIR/reference-passes" - | grep -v '^[^ ]* PASS' > "$OUT/$platform.behind" || true
  echo
  echo "SoftHSM2 passes, ours on $platform does not ($(wc -l < "$OUT/$platform.behind")):"
  sed 's/^/  /' "$OUT/$platform.behind"
done
