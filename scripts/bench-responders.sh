#!/bin/sh
# make bench-responders: the same initiator load against two IKE responders on
# this machine, one after the other in one run — `ikebench serve` and
# strongSwan's charon — with the same proposal, the same responder key and
# certificate, the same initiator key, and the same crypto library (charon's
# openssl plugin and serve's openssl provider both call this machine's
# libcrypto). Printed: IKE SAs/s and setup time p50/p99 (on the initiator),
# each responder's CPU per SA (from /proc/PID/stat over the load), and serve's
# CPU per SA beside its public-key operations alone. Figures, never asserted.
#
# The initiator is `ikebench load` (docs/ike.md): CONCURRENCY tasks in one
# process, each on its own UDP socket, setting up IKEv1 Main Mode SAs back to
# back and deleting each one. It skips work of its own that the responder never
# sees: one key-exchange value of its own for every SA (--reuse-dh), and the
# responder's signature taken unverified (--unverified-responder; with an
# ikebench that predates it, the row says so and the load verifies). Both
# responders get the same load. Main Mode only: no Quick Mode, so no child SA
# and no kernel state in either responder.
#
# DH private values: charon 5.9.8's openssl plugin leaves their length to
# OpenSSL 3.0, which draws 2 × 112 + 1 = 225 bits for MODP-2048
# (strongswan.conf's dh_exponent_ansi_x9_42 = yes only skips DH_set_length);
# serve draws 224 (--dh-private short). Needs root (charon's private /run).
# KEY is the kind of both sides' keys: rsa (RSA-2048 certificates) or ec
# (ECDSA P-256 certificates, RFC 4754 authentication; pair it with ecp256).
# IKE is the version: 1 (Main Mode) or 2 (IKE_SA_INIT + IKE_AUTH; our
# initiator asks a childless IKE SA, RFC 6023, so charon as responder needs no
# kernel; cookies are lifted to 1024 half-open SAs on both responders, as all
# initiators share one address and charon's default is 3 per address).
# serve runs one event loop and socket per core unless SERVE_ARGS says otherwise
# (e.g. SERVE_ARGS="--loops 1"); the row names how many it had.
# On a machine of 2 cores or more, two more rows run pinned: serve with one loop
# on core 1 and charon on core 1, each with the load on core 0 (taskset), so
# neither responder shares its core with the initiators (performance.md).
# Usage: [SERVE_ARGS=...] scripts/bench-responders.sh [SECONDS] [CONCURRENCY] [IKEBENCH] [PROPOSAL] [KEY] [IKE]
set -eu
SECONDS_RUN=${1:-10}
CONCURRENCY=${2:-8}
IKEBENCH=${3:-.build/release/ikebench}
PROPOSAL=${4:-aes128-sha256-modp2048}
KEY=${5:-rsa}
IKE=${6:-1}
# The load's shortcuts (never the responder's work): --reuse-dh (every group, both
# versions, in an ikebench of 2026-12-07 or later) and --unverified-responder when this ikebench has it.
SHORTCUTS="--reuse-dh"
if "$IKEBENCH" load --help 2>&1 | grep -q -- --unverified-responder; then SHORTCUTS="--reuse-dh --unverified-responder"; fi
case "$IKE" in 1|2) ;; *) echo "bench-responders: IKE must be 1 or 2"; exit 2 ;; esac
case "$KEY" in
  rsa) NEWKEY="-newkey rsa:2048"; KEYNAME="RSA-2048" ;;
  ec) NEWKEY="-newkey ec -pkeyopt ec_paramgen_curve:P-256"; KEYNAME="ECDSA P-256" ;;
  *) echo "bench-responders: KEY must be rsa or ec"; exit 2 ;;
esac
CHARON=/usr/lib/ipsec/charon
[ "$(id -u)" = 0 ] || { echo "bench-responders: skipped, needs root (unshare -m, mount over /run for charon)"; exit 0; }
[ -x "$CHARON" ] || { echo "bench-responders: skipped, $CHARON missing (make deps installs strongswan-charon)"; exit 0; }
DIR=$(mktemp -d /tmp/bench-responders.XXXXXX)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM

cert() {  # name -> $DIR/name.key, $DIR/name.crt
  openssl req -x509 $NEWKEY -nodes -keyout "$DIR/$1.key" -out "$DIR/$1.crt" -days 2 \
    -subj "/C=CH/O=ikebench/CN=$1.bench.example" -addext "subjectAltName=DNS:$1.bench.example" 2>/dev/null
}
cert responder; cert initiator
TICK=$(getconf CLK_TCK)
cpu() { awk -v t="$TICK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }
val() { sed -n "s/.*\"$1\" *: *\([0-9.eE+-]*\).*/\1/p" "$2" | head -1; }
BASE=$((30000 + $$ % 10000))

# Pinning (2 cores or more): the responder's command is prefixed with $PIN_RESPONDER
# and the load with $PIN_LOAD in the pinned rows, empty otherwise.
PINNED=no
if [ "$(nproc)" -gt 1 ] && command -v taskset > /dev/null; then PINNED=yes; fi
PIN_RESPONDER=""; PIN_LOAD=""
pin() { if [ "$1" = yes ]; then PIN_RESPONDER="taskset -c 1"; PIN_LOAD="taskset -c 0"; else PIN_RESPONDER=""; PIN_LOAD=""; fi; }

# load NAME LABEL PORT PID [OPTIONS]: the load against the responder on PORT
# (process PID); prints one row, keeps NAME.json and NAME.cpu (responder CPU seconds per SA).
load() {
  name=$1; label=$2; port=$3; pid=$4; shift 4
  c0=$(cpu "$pid")
  $PIN_LOAD "$IKEBENCH" load --peer "127.0.0.1:$port" --key "$DIR/initiator.key" --cert "$DIR/initiator.crt" \
    --trust "$DIR/responder.crt" --proposal "$PROPOSAL" --ike "$IKE" --concurrency "$CONCURRENCY" --duration "$SECONDS_RUN" \
    $SHORTCUTS --timeout 2 --json "$@" > "$DIR/$name.json" 2> "$DIR/$name.err" || { cat "$DIR/$name.err"; return 1; }
  c1=$(cpu "$pid")
  j="$DIR/$name.json"
  awk -v label="$label" -v n="$(val established "$j")" -v f="$(val failed "$j")" -v rate="$(val saPerSecond "$j")" \
      -v p50="$(val p50 "$j")" -v p99="$(val p99 "$j")" -v c0="$c0" -v c1="$c1" -v icpu="$(val initiatorCPUSeconds "$j")" \
      -v out="$DIR/$name.cpu" 'BEGIN {
        r = (n > 0) ? (c1 - c0) / n : 0
        i = (n > 0) ? icpu / n : 0
        printf("%-26s %9.1f %11.2f %11.2f %16.3f %16.3f %7d\n", label, rate, p50 * 1e3, p99 * 1e3, r * 1e3, i * 1e3, f)
        printf("%.9f %.3f\n", r, rate) > out }'
  # A row with failed setups says why: the load's first failures, kept whole
  # (where each stood: the request outstanding, its SPIs, its sends), which
  # --json writes to stderr. The run's directory is removed at the end.
  if [ "$(val failed "$j")" != "0" ] && [ -s "$DIR/$name.err" ]; then sed 's/^/    /' "$DIR/$name.err"; fi
}

echo "make bench-responders: IKEv$IKE $PROPOSAL, $KEYNAME certificates, $CONCURRENCY initiators (ikebench load --ike $IKE, one process, $SHORTCUTS), $SECONDS_RUN s per responder, $(nproc) cores"
printf "%-26s %9s %11s %11s %16s %16s %7s\n" responder "SAs/s" "p50 ms" "p99 ms" "resp. CPU ms/SA" "init. CPU ms/SA" failed

# 1. ikebench serve: one event loop and socket per core (its default), then,
# on a machine of more cores than one, with one loop: here the initiators
# share serve's cores, and one loop spends less CPU per SA (performance.md).
# serve_row NAME [SERVE OPTIONS]: keeps NAME.json and NAME.cpu; pinned (PIN_RESPONDER) when set.
serve_row() {
  name=$1; shift
  SERVE_PORT=$BASE
  $PIN_RESPONDER "$IKEBENCH" serve --port "$SERVE_PORT" --key "$DIR/responder.key" --cert "$DIR/responder.crt" \
    --id fqdn:responder.bench.example --trust "$DIR/initiator.crt" --proposal "$PROPOSAL" --dh-private short \
    --ikev2-proposal "$PROPOSAL" --ikev2-cookie-threshold 1024 --ikev2-cookie-threshold-ip 1024 ${SERVE_ARGS:-} "$@" \
    > "$DIR/$name.out" 2> "$DIR/$name.err" &
  SERVE_PID=$!
  PIDS="$PIDS $SERVE_PID"
  n=0; while ! grep -qs "listening on" "$DIR/$name.err" && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
  SOCKETS=$(sed -n 's/.*listening on [^ ]* (\([0-9]*\) socket.*/\1/p' "$DIR/$name.err")
  LABEL="ikebench serve"; [ -n "$SOCKETS" ] && LABEL="serve, $SOCKETS loop$([ "$SOCKETS" = 1 ] || echo s)"
  [ -n "$PIN_RESPONDER" ] && LABEL="$LABEL, core 1"
  load "$name" "$LABEL" "$SERVE_PORT" "$SERVE_PID" --public-key-baseline --responder-dh-private short
  kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  echo "$LABEL" > "$DIR/$name.label"
}
serve_row serve
ROWS=serve
if [ "$(nproc)" -gt 1 ] && [ -z "${SERVE_ARGS:-}" ]; then serve_row serve1 --loops 1; ROWS="serve serve1"; fi
# The same with one loop on core 1 and the load on core 0 (after SERVE_ARGS, so its --loops 1 wins).
if [ "$PINNED" = yes ]; then pin yes; serve_row servepinned --loops 1; pin no; fi

# 2. charon, answering the same load with the same keys: unpinned, then on core 1 with the load on core 0.
C="$DIR/charon"; mkdir -p "$C/swanctl/x509" "$C/swanctl/private"
cp "$DIR/responder.crt" "$DIR/initiator.crt" "$C/swanctl/x509/"; cp "$DIR/responder.key" "$C/swanctl/private/"
CHARON_PORT=$((BASE + 10))
cat > "$C/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey hmac kdf kernel-netlink socket-default vici
  port = $CHARON_PORT
  port_nat_t = $((CHARON_PORT + 1))
  install_routes = no
  # All initiators share one address: lift the per-address half-open limit (default 5), as serve's is 64.
  block_threshold = 1024
  cookie_threshold = 1024
  cookie_threshold_ip = 1024
  plugins { vici { socket = unix://$C/charon.vici } }
  syslog { daemon { default = -1 } }
}
CONF
cat > "$C/swanctl/swanctl.conf" <<CONF
connections { bench { version = $IKE
  local_addrs = 127.0.0.1
  remote_addrs = 127.0.0.1
  proposals = $PROPOSAL
  local { auth = pubkey
          certs = responder.crt
          id = responder.bench.example }
  remote { auth = pubkey
           certs = initiator.crt } } }
CONF
# charon_row NAME LABEL: one charon for one row; pinned (PIN_RESPONDER) when set.
charon_row() {
  rm -f "$C/charon.vici"
  STRONGSWAN_CONF="$C/strongswan.conf" $PIN_RESPONDER unshare -m --propagation private /bin/sh -c \
    "mount -t tmpfs -o size=1m tmpfs /run && exec $CHARON" > "$C/$1.out" 2>&1 &
  CHARON_PID=$!
  PIDS="$PIDS $CHARON_PID"
  n=0; while [ ! -S "$C/charon.vici" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
  SWANCTL_DIR="$C/swanctl" swanctl --load-all --noprompt --uri "unix://$C/charon.vici" > /dev/null 2>&1
  load "$1" "$2" "$CHARON_PORT" "$CHARON_PID"
  kill "$CHARON_PID"; wait "$CHARON_PID" 2>/dev/null || true
  echo "$2" > "$DIR/$1.label"
}
charon_row charon "charon 5.9.8"
if [ "$PINNED" = yes ]; then pin yes; charon_row charonpinned "charon, core 1"; pin no; fi

# 3. serve's CPU per SA beside its public-key operations alone (timed by the
# serve run's `load --public-key-baseline`, single-threaded, after the load), and the ratio of rates:
# the unpinned serve rows against the unpinned charon, the pinned serve row against the pinned charon.
PAIRS=""
for row in $ROWS; do PAIRS="$PAIRS $row:charon"; done
[ "$PINNED" = yes ] && PAIRS="$PAIRS servepinned:charonpinned"
for pair in $PAIRS; do
  row=${pair%%:*}
  read -r charon_cpu charon_rate < "$DIR/${pair##*:}.cpu"
  read -r serve_cpu serve_rate < "$DIR/$row.cpu"
  awk -v who="$(cat "$DIR/$row.label")" -v them="$(cat "$DIR/${pair##*:}.label")" -v k="$KEYNAME" -v c="$serve_cpu" -v b="$(val cpuSecondsPerSA "$DIR/$row.json")" -v s="$serve_rate" -v x="$charon_rate" -v xc="$charon_cpu" 'BEGIN {
    if (b > 0) printf("%s: CPU %.3f ms per SA; its public-key operations alone (DH key pair + agreement, %s verify + sign, one task): %.3f ms; ratio %.2fx (target <= 1.25x)\n", who, c * 1e3, k, b * 1e3, c / b)
    if (x > 0 && xc > 0) printf("%s / %s: IKE SAs per second %.2fx, responder CPU per SA %.2fx\n", who, them, s / x, c / xc) }'
done
