#!/bin/sh
# make profile-serve: where `ikebench serve`'s CPU per IKE SA goes, and how far
# that is from the 1.25x-of-public-key-work target (docs/performance.md,
# "Where serve's CPU goes, and the 1.25× target"). Figures, never asserted.
#
# serve runs with one loop, pinned to core 1, the load (`ikebench load`, 8
# initiators in one process, the bench's shortcuts) on core 0, as in
# bench-responders' pinned row. Two runs of the same load:
#   1. without a profiler: serve's CPU per SA (/proc/PID/stat), and the load's
#      --public-key-baseline (the responder's public-key operations alone, one
#      task, after the load);
#   2. with `perf record -g` on serve: its samples put in shares
#      (scripts/profile-decompose.py), scaled to run 1's CPU per SA.
# Then the arithmetic: the target (1.25 x the baseline) beside what libcrypto and
# the kernel alone take in serve.
# Usage: scripts/profile-serve.sh [SECONDS] [IKEBENCH] [PROPOSAL] [KEY] [IKE]
# KEY: ec (ECDSA P-256) or rsa (RSA-2048). Needs perf (Debian: linux-perf) and
# 2 cores or more.
set -eu
SECONDS_RUN=${1:-8}
IKEBENCH=${2:-.build/release/ikebench}
PROPOSAL=${3:-aes128-sha256-ecp256}
KEY=${4:-ec}
IKE=${5:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v perf > /dev/null || { echo "profile-serve: skipped, perf missing (apt-get install linux-perf)"; exit 0; }
command -v python3 > /dev/null || { echo "profile-serve: skipped, python3 missing (apt-get install python3)"; exit 0; }
command -v taskset > /dev/null || { echo "profile-serve: skipped, taskset missing (util-linux)"; exit 0; }
[ "$(nproc)" -gt 1 ] || { echo "profile-serve: skipped, needs 2 cores (serve on one, the load on the other)"; exit 0; }
# The kernel's share needs kernel samples: root, or perf_event_paranoid 1 or less.
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 2)
[ "$(id -u)" = 0 ] || [ "$paranoid" -le 1 ] || {
  echo "profile-serve: skipped, perf would sample no kernel code here (not root, perf_event_paranoid $paranoid)"; exit 0; }
case "$KEY" in
  rsa) NEWKEY="-newkey rsa:2048" ;;
  ec) NEWKEY="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
  *) echo "profile-serve: KEY must be rsa or ec"; exit 2 ;;
esac
IKEBENCH=$(cd "$(dirname "$IKEBENCH")" && pwd)/$(basename "$IKEBENCH")
DIR=$(mktemp -d /tmp/profile-serve.XXXXXX)
SERVE_PID=""; PERF_PID=""
cleanup() {
  for p in $PERF_PID $SERVE_PID; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
# perf's wrapper may lack a build for this kernel, or the machine may forbid profiling (a container):
# try the recording the run makes, call graphs and all.
perf record -q -g -o "$DIR/probe.data" -- true > /dev/null 2>&1 || { echo "profile-serve: skipped, perf record does not run here"; exit 0; }
for name in responder initiator; do
  openssl req -x509 $NEWKEY -nodes -keyout "$DIR/$name.key" -out "$DIR/$name.crt" -days 2 \
    -subj "/C=CH/O=ikebench/CN=$name.bench.example" -addext "subjectAltName=DNS:$name.bench.example" 2>/dev/null
done
TICK=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
val() { sed -n "s/.*\"$1\" *: *\([0-9.eE+-]*\).*/\1/p" "$2" | head -1; }
PORT=$((30000 + $$ % 10000))

# run N [perf]: one serve + load run; leaves $DIR/N.cpu (serve CPU seconds per SA) and $DIR/N.json.
run() {
  taskset -c 1 "$IKEBENCH" serve --port "$PORT" --key "$DIR/responder.key" --cert "$DIR/responder.crt" \
    --id fqdn:responder.bench.example --trust "$DIR/initiator.crt" --proposal "$PROPOSAL" --ikev2-proposal "$PROPOSAL" \
    --dh-private short --ikev2-cookie-threshold 1024 --ikev2-cookie-threshold-ip 1024 --loops 1 \
    > "$DIR/$1.serve" 2> "$DIR/$1.serve.err" &
  SERVE_PID=$!
  n=0; while ! grep -qs "listening on" "$DIR/$1.serve.err" && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
  c0=$(cpu "$SERVE_PID")
  if [ "${2:-}" = perf ]; then
    perf record -F 1999 -g -p "$SERVE_PID" -o "$DIR/perf.data" -- sleep $((SECONDS_RUN - 1)) > /dev/null 2>&1 &
    PERF_PID=$!
  fi
  baseline=""
  [ "${2:-}" = perf ] || baseline="--public-key-baseline --responder-dh-private short"
  taskset -c 0 "$IKEBENCH" load --peer "127.0.0.1:$PORT" --key "$DIR/initiator.key" --cert "$DIR/initiator.crt" \
    --trust "$DIR/responder.crt" --proposal "$PROPOSAL" --ike "$IKE" --concurrency 8 --duration "$SECONDS_RUN" \
    --reuse-dh --unverified-responder --timeout 2 --json $baseline > "$DIR/$1.json" 2> "$DIR/$1.load.err"
  c1=$(cpu "$SERVE_PID")
  if [ -n "$PERF_PID" ]; then
    wait "$PERF_PID" || { echo "profile-serve: perf record on serve failed"; exit 1; }
    PERF_PID=""
  fi
  kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
  sas=$(val established "$DIR/$1.json")
  [ -n "$sas" ] && [ "$sas" -gt 0 ] || { echo "profile-serve: run $1 set up no SA"; cat "$DIR/$1.load.err"; exit 1; }
  awk -v a="$c0" -v b="$c1" -v t="$TICK" -v n="$sas" 'BEGIN { printf "%.9f\n", (b - a) / t / n }' > "$DIR/$1.cpu"
  PORT=$((PORT + 1))
}

echo "profile-serve: $PROPOSAL, $KEY keys, IKEv$IKE, ${SECONDS_RUN} s per run, serve --loops 1 on core 1, the load on core 0"
run plain
run profiled perf
plain=$(cat "$DIR/plain.cpu"); profiled=$(cat "$DIR/profiled.cpu")
baseline=$(val cpuSecondsPerSA "$DIR/plain.json")
echo "serve: $(val established "$DIR/plain.json") SAs, $(awk -v c="$plain" 'BEGIN { printf "%.1f", c * 1e6 }') us CPU per SA" \
  "($(awk -v c="$profiled" 'BEGIN { printf "%.1f", c * 1e6 }') us with perf attached)"
echo "its public-key operations alone (the load's --public-key-baseline): $(awk -v b="$baseline" 'BEGIN { printf "%.1f", b * 1e6 }') us per SA"
echo
echo "Where serve's CPU goes (shares of the profiled run, scaled to the run without perf):"
perf script -i "$DIR/perf.data" -F ip,sym,dso > "$DIR/perf.txt" 2> /dev/null || { echo "profile-serve: perf script failed"; exit 1; }
python3 "$HERE/profile-decompose.py" "$(awk -v c="$plain" 'BEGIN { printf "%.3f", c * 1e6 }')" < "$DIR/perf.txt" > "$DIR/shares" \
  || { cat "$DIR/shares"; exit 1; }
cat "$DIR/shares"
libcrypto=$(awk '$3 == "libcrypto" { print $1 }' "$DIR/shares")
kernel=$(awk '$3 == "kernel" { print $1 }' "$DIR/shares")
[ -n "$libcrypto" ] && [ -n "$kernel" ] || { echo "profile-serve: no libcrypto or kernel share in the profile"; exit 1; }
echo
awk -v b="$baseline" -v c="$plain" -v l="$libcrypto" -v k="$kernel" 'BEGIN {
  target = 1.25 * b * 1e6; serve = c * 1e6
  printf("target: 1.25 x %.1f = %.1f us per SA; serve %.1f us, ratio %.2fx\n", b * 1e6, target, serve, c / b)
  printf("libcrypto (%.1f) + kernel (%.1f) in serve alone: %.1f us, %.2fx of the baseline;\n", l, k, l + k, (l + k) / (b * 1e6))
  printf("left under the target for SwiftNIO, Swift tasks and all of serve'"'"'s own code: %.1f us (they take %.1f)\n", target - l - k, serve - l - k) }'
