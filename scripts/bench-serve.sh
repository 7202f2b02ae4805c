#!/bin/sh
# make bench-serve: negotiations per second that `ikebench serve` sustains on
# this host with N strongSwan initiators, and its Phase I p50 next to its four
# public-key operations alone (same run). Each charon runs with its own
# strongswan.conf, swanctl directory, vici socket and private /run (unshare -m
# + tmpfs), has no child SA (no kernel state), and is ended by its pid.
# Needs root (unshare, mount). Usage: scripts/bench-serve.sh [N] [SECONDS] [IKEBENCH] [PLATFORM]
set -eu
N=${1:-2}
SECONDS_RUN=${2:-10}
IKEBENCH=${3:-.build/release/ikebench}
PLATFORM=${4:-host}
CHARON=/usr/lib/ipsec/charon
[ "$(id -u)" = 0 ] || { echo "bench-serve: skipped, needs root (unshare -m, mount over /run for charon)"; exit 0; }
[ -x "$CHARON" ] || { echo "bench-serve: skipped, $CHARON missing (make deps installs strongswan-charon)"; exit 0; }
DIR=$(mktemp -d /tmp/bench-serve.XXXXXX)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM

cert() {  # name -> $DIR/name.key, $DIR/name.crt
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$DIR/$1.key" -out "$DIR/$1.crt" -days 2 \
    -subj "/C=CH/O=ikebench/CN=$1.bench.example" -addext "subjectAltName=DNS:$1.bench.example" 2>/dev/null
}
# One identity per charon: charon sends INITIAL-CONTACT in each message 5, and
# serve drops that peer's older SAs from the same address (RFC 2407 §4.6.3.3);
# charons sharing an ID would drop each other's SAs (their DELETEs then count
# under unknownCookies).
cert serve
TRUST=""
i=0
while [ $i -lt "$N" ]; do cert "peer$i"; TRUST="$TRUST --trust $DIR/peer$i.crt"; i=$((i + 1)); done
SERVE_PORT=$((30000 + $$ % 10000))

# --dh-private short: as charon's openssl plugin draws them (OpenSSL 3.0's named-group length).
# shellcheck disable=SC2086
"$IKEBENCH" serve --port "$SERVE_PORT" --key "$DIR/serve.key" --cert "$DIR/serve.crt" --id fqdn:serve.bench.example \
  $TRUST --dh-private short --platform "$PLATFORM" --duration "$SECONDS_RUN" > "$DIR/serve.out" 2> "$DIR/serve.err" &
SERVE_PID=$!
PIDS="$PIDS $SERVE_PID"
sleep 1

i=0
while [ $i -lt "$N" ]; do
  C="$DIR/charon$i"; mkdir -p "$C/swanctl/x509" "$C/swanctl/private"
  cp "$DIR/peer$i.crt" "$DIR/serve.crt" "$C/swanctl/x509/"; cp "$DIR/peer$i.key" "$C/swanctl/private/"
  PORT=$((SERVE_PORT + 10 + 2 * i))
  cat > "$C/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey hmac kernel-netlink socket-default vici
  port = $PORT
  port_nat_t = $((PORT + 1))
  install_routes = no
  retransmit_tries = 2
  plugins { vici { socket = unix://$C/charon.vici } }
  syslog { daemon { default = -1 } }
}
CONF
  cat > "$C/swanctl/swanctl.conf" <<CONF
connections { bench { version = 1
  local_addrs = 127.0.0.1
  remote_addrs = 127.0.0.1
  remote_port = $SERVE_PORT
  proposals = 3des-sha1-modp1024
  local { auth = pubkey
          certs = peer$i.crt }
  remote { auth = pubkey
           id = serve.bench.example
           certs = serve.crt } } }
CONF
  STRONGSWAN_CONF="$C/strongswan.conf" unshare -m --propagation private /bin/sh -c \
    "mount -t tmpfs -o size=1m tmpfs /run && exec $CHARON" > "$C/charon.out" 2>&1 &
  PIDS="$PIDS $!"
  i=$((i + 1))
done

# Each charon: initiate, terminate (its DELETE reaches serve), again, until serve stops.
i=0
while [ $i -lt "$N" ]; do
  C="$DIR/charon$i"
  ( n=0; while [ ! -S "$C/charon.vici" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    SWANCTL_DIR="$C/swanctl" swanctl --load-all --noprompt --uri "unix://$C/charon.vici" > /dev/null 2>&1
    while kill -0 "$SERVE_PID" 2>/dev/null; do
      SWANCTL_DIR="$C/swanctl" timeout 20 swanctl --initiate --ike bench --timeout 15 --uri "unix://$C/charon.vici" > /dev/null 2>&1 || true
      SWANCTL_DIR="$C/swanctl" timeout 20 swanctl --terminate --ike bench --force --timeout 5 --uri "unix://$C/charon.vici" > /dev/null 2>&1 || true
    done ) &
  PIDS="$PIDS $!"
  i=$((i + 1))
done

wait "$SERVE_PID" || true
echo "ikebench serve with $N strongSwan initiator(s) (charon 5.9.8, 3des-sha1-modp1024, RSA-2048 certificates), $SECONDS_RUN s, platform $PLATFORM:"
grep -E "^negotiations|^Phase I|^host|^modeled|^(dh-|rsa-)|^served" "$DIR/serve.out" || cat "$DIR/serve.out" "$DIR/serve.err"
