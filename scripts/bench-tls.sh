#!/bin/sh
# make bench-tls: full TLS 1.3 handshakes per second that `openssl s_server`
# answers on loopback with its key (RSA-2048, then ECDSA P-256) in a file, on
# the framework's token (libCryptoFrameworkPKCS11.so through pkcs11-provider)
# and on SoftHSM2's token (through pkcs11-provider, `no-deinit` quirk: SoftHSM2
# crashes at exit without it), driven by `openssl s_time -new` (no resumption).
# Every OPENSSL_CONF is written here; the machine's is never read. Tokens and
# keystores are scratch ones; each server is ended by its pid.
# Usage: scripts/bench-tls.sh [SECONDS] [MODULE] [PLATFORM] [ROUNDS]
set -eu
SECONDS_RUN=${1:-2}
ROUNDS=${4:-3}
MODULE=$(realpath "${2:-.build/release/libCryptoFrameworkPKCS11.so}")
PLATFORM=${3:-host}
PROVIDER=/usr/lib/x86_64-linux-gnu/ossl-modules/pkcs11.so
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so
[ -e "$PROVIDER" ] || { echo "bench-tls: skipped, $PROVIDER missing (make deps installs pkcs11-provider)"; exit 0; }
[ -e "$MODULE" ] || { echo "bench-tls: $MODULE missing (make pkcs11-module)"; exit 1; }
DIR=$(mktemp -d /tmp/bench-tls.XXXXXX)
SERVERS=""
cleanup() { for p in $SERVERS; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM

echo 123456 > "$DIR/pin"
plain() {
  cat <<EOF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
EOF
}
plain > "$DIR/plain.cnf"
printf '[default_sect]\nactivate = 1\n' >> "$DIR/plain.cnf"
provider_conf() {  # module quirks -> stdout
  plain
  cat <<EOF
pkcs11 = pkcs11_sect
[default_sect]
activate = 1
[pkcs11_sect]
module = $PROVIDER
pkcs11-module-path = $1
pkcs11-module-token-pin = file:$DIR/pin
${2:+pkcs11-module-quirks = $2}
activate = 1
EOF
}
provider_conf "$MODULE" "" > "$DIR/ours.cnf"
provider_conf "$SOFTHSM" "no-deinit" > "$DIR/softhsm.cnf"

# The framework's module: a scratch keystore, policy and XDG dirs.
export HOME="$DIR" XDG_CONFIG_HOME="$DIR/config" XDG_DATA_HOME="$DIR/data"
export CRYPTOFRAMEWORK_KEYSTORE="$DIR/keystore" CRYPTOFRAMEWORK_CONF="$DIR/kcf.conf" CRYPTOFRAMEWORK_PLATFORM="$PLATFORM"
unset CRYPTOFRAMEWORK_TRACE CRYPTOFRAMEWORK_TRACE_FILE CRYPTOFRAMEWORK_KSTAT_DIR OPENSSL_MODULES PKCS11_PROVIDER_MODULE
# SoftHSM2: a scratch token directory.
mkdir -p "$DIR/softhsm-tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$DIR/softhsm-tokens" > "$DIR/softhsm2.conf"
export SOFTHSM2_CONF="$DIR/softhsm2.conf"

tool() { pkcs11-tool --module "$@" >/dev/null 2>&1; }
tool "$MODULE" --init-token --label bench --so-pin 87654321
tool "$MODULE" --init-pin --so-pin 87654321 --pin 123456
softhsm2-util --init-token --free --label bench --so-pin 87654321 --pin 123456 >/dev/null
for m in "$MODULE" "$SOFTHSM"; do
  tool "$m" --login --pin 123456 --keypairgen --key-type rsa:2048 --id 01 --label rsa
  tool "$m" --login --pin 123456 --keypairgen --key-type EC:prime256v1 --id 02 --label ec
done
OPENSSL_CONF="$DIR/plain.cnf" openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$DIR/rsa.pem" 2>/dev/null
OPENSSL_CONF="$DIR/plain.cnf" openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/ec.pem" 2>/dev/null

# One server per row, all started first (each ended by its pid); then ROUNDS
# alternating rounds of s_time, each row keeping its best, so every row sees
# the same machine load.
PORT=$((40000 + $$ % 10000))
for kind in rsa ec; do
  for where in file ours softhsm; do
    case $where in
      file) conf="$DIR/plain.cnf"; key="$DIR/$kind.pem" ;;
      ours) conf="$DIR/ours.cnf"; key="pkcs11:token=bench;object=$kind;type=private" ;;
      softhsm) conf="$DIR/softhsm.cnf"; key="pkcs11:token=bench;object=$kind;type=private" ;;
    esac
    OPENSSL_CONF="$conf" openssl req -x509 -new -key "$key" -subj /CN=localhost -days 2 -sha256 -out "$DIR/$where-$kind.crt" 2>"$DIR/req.err" \
      || { echo "bench-tls: req -x509 with $where $kind failed: $(cat "$DIR/req.err")"; exit 1; }
    PORT=$((PORT + 1))
    OPENSSL_CONF="$conf" openssl s_server -accept "127.0.0.1:$PORT" -key "$key" -cert "$DIR/$where-$kind.crt" -quiet \
      > "$DIR/server-$where-$kind.out" 2>&1 &
    SERVERS="$SERVERS $!"
    eval "port_${kind}_${where}=$PORT best_${kind}_${where}=0"
    tries=0
    until OPENSSL_CONF="$DIR/plain.cnf" openssl s_client -connect "127.0.0.1:$PORT" </dev/null >/dev/null 2>&1; do
      tries=$((tries + 1)); [ $tries -lt 100 ] || { echo "bench-tls: s_server ($where $kind) did not answer: $(cat "$DIR/server-$where-$kind.out")"; exit 1; }
      sleep 0.1
    done
  done
done
round=0
while [ $round -lt "$ROUNDS" ]; do
  round=$((round + 1))
  for kind in rsa ec; do
    for where in file ours softhsm; do
      eval "port=\$port_${kind}_${where}"
      line=$(OPENSSL_CONF="$DIR/plain.cnf" openssl s_time -connect "127.0.0.1:$port" -new -time "$SECONDS_RUN" 2>&1 | grep 'connections in .* real seconds' | head -1)
      # "N connections in T real seconds, B bytes read per connection"
      rate=$(echo "$line" | awk '{ if ($4 > 0) printf "%.0f", $1 / $4; else print 0 }')
      eval "best=\$best_${kind}_${where}"
      [ "${rate:-0}" -gt "$best" ] && eval "best_${kind}_${where}=$rate"
    done
  done
done
printf '%-10s %-18s %12s\n' key server-key handshakes/s
for kind in rsa ec; do
  for where in file ours softhsm; do
    eval "printf '%-10s %-18s %12s\n' $kind $where \$best_${kind}_${where}"
  done
done
for kind in rsa ec; do
  eval "o=\$best_${kind}_ours f=\$best_${kind}_file s=\$best_${kind}_softhsm"
  awk -v k="$kind" -v o="$o" -v f="$f" -v s="$s" 'BEGIN { printf "%s: our token / key in a file %.2f, our token / SoftHSM2 %.2f\n", k, (f > 0 ? o / f : 0), (s > 0 ? o / s : 0) }'
done
echo "(TLS 1.3, s_time -new, best of $ROUNDS alternating rounds of $SECONDS_RUN s per row, client and server on this machine's $(nproc) cores, platform $PLATFORM)"
