#!/bin/sh
# make install / make uninstall (see the Makefile): installs the commands, their
# manual pages and shell completions, and the PKCS#11 module with its p11-kit
# module file when it has been built; records every file and every directory it
# created in a manifest, so `uninstall` removes exactly those and nothing else.
#
#   install.sh install     needs BUILT (directory of the built products), PREFIX, DESTDIR
#   install.sh uninstall   needs PREFIX, DESTDIR
set -eu

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
BINDIR=${BINDIR:-$PREFIX/bin}
LIBDIR=${LIBDIR:-$PREFIX/lib}
MANDIR=${MANDIR:-$PREFIX/share/man}
DATADIR=${DATADIR:-$PREFIX/share}
P11KIT_MODULE_DIR=${P11KIT_MODULE_DIR:-$DATADIR/p11-kit/modules}
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
MANIFEST_DIR=$DATADIR/cryptoframework
MANIFEST=$MANIFEST_DIR/install-manifest
MODULE_NAME=libCryptoFrameworkPKCS11.so

# Creates directory $1 (under DESTDIR) and its missing parents, recording each one created.
make_dir() {
    case "$1" in /|"") return 0 ;; esac
    [ -d "$DESTDIR$1" ] && return 0
    make_dir "$(dirname "$1")"
    mkdir "$DESTDIR$1"
    echo "d $1" >>"$TMP_MANIFEST"
}

# put SOURCE TARGET MODE: installs one file and records it.
put() {
    make_dir "$(dirname "$2")"
    install -m "$3" "$1" "$DESTDIR$2"
    echo "f $2" >>"$TMP_MANIFEST"
    echo "  $DESTDIR$2"
}

do_uninstall() {
    manifest=$DESTDIR$MANIFEST
    if [ ! -f "$manifest" ]; then
        echo "nothing to uninstall: no $manifest"
        return 0
    fi
    # Files first, then the directories install created, deepest first (a
    # child's path sorts after its parent's); one holding other files stays.
    dirs=$(grep '^d ' "$manifest.dirs" 2>/dev/null | cut -c3- | sort -r || true)
    grep '^f ' "$manifest" | cut -c3- | while IFS= read -r f; do
        rm -f "$DESTDIR$f" && echo "  removed $DESTDIR$f"
    done
    echo "$dirs" | while IFS= read -r d; do
        [ -n "$d" ] || continue
        rmdir "$DESTDIR$d" 2>/dev/null || echo "  kept $DESTDIR$d (not empty)"
    done
}

do_install() {
    : "${BUILT:?BUILT must name the directory of the built products}"
    for tool in ikebench cryptoadm; do
        [ -x "$BUILT/$tool" ] || { echo "install: $BUILT/$tool is not built (run make install, which builds it)" >&2; exit 1; }
    done
    # A second install replaces the first: remove what it put there.
    [ -f "$DESTDIR$MANIFEST" ] && do_uninstall >/dev/null
    TMP_MANIFEST=$(mktemp)
    trap 'rm -f "$TMP_MANIFEST"' EXIT
    work=$(mktemp -d)
    trap 'rm -f "$TMP_MANIFEST"; rm -rf "$work"' EXIT

    # A staging DESTDIR is the packager's: made if missing, never removed.
    [ -z "$DESTDIR" ] || mkdir -p "$DESTDIR"
    make_dir "$MANIFEST_DIR"
    echo "installing into $DESTDIR$PREFIX:"
    put "$BUILT/ikebench" "$BINDIR/ikebench" 755
    put "$BUILT/cryptoadm" "$BINDIR/cryptoadm" 755
    put "$SRCDIR/docs/man/ikebench.1" "$MANDIR/man1/ikebench.1" 644
    put "$SRCDIR/docs/man/cryptoadm.8" "$MANDIR/man8/cryptoadm.8" 644

    # Shell completions, from each command's own argument parser.
    for tool in ikebench cryptoadm; do
        "$BUILT/$tool" --generate-completion-script bash >"$work/$tool.bash"
        "$BUILT/$tool" --generate-completion-script zsh >"$work/_$tool"
        "$BUILT/$tool" --generate-completion-script fish >"$work/$tool.fish"
        put "$work/$tool.bash" "$DATADIR/bash-completion/completions/$tool" 644
        put "$work/_$tool" "$DATADIR/zsh/site-functions/_$tool" 644
        put "$work/$tool.fish" "$DATADIR/fish/vendor_completions.d/$tool.fish" 644
    done

    # The PKCS#11 module, once the package builds it, and a p11-kit module file naming it.
    if [ -f "$BUILT/$MODULE_NAME" ]; then
        module=$LIBDIR/pkcs11/$MODULE_NAME
        put "$BUILT/$MODULE_NAME" "$module" 755
        template=$(ls "$SRCDIR"/packaging/p11-kit/*.module "$SRCDIR"/packaging/p11-kit/*.module.in 2>/dev/null | head -n 1 || true)
        name=cryptoframework.module
        if [ -n "$template" ]; then
            name=$(basename "$template" .in)
            sed -e "s|@MODULE_PATH@|$module|g; s|@LIBDIR@|$LIBDIR|g; s|@PREFIX@|$PREFIX|g" \
                -e "s|^module:.*|module: $module|" "$template" >"$work/$name"
        else
            printf '# CryptoFramework: the framework as a PKCS#11 module (one slot, the policy'"'"'s mechanisms)\nmodule: %s\n' \
                "$module" >"$work/$name"
        fi
        put "$work/$name" "$P11KIT_MODULE_DIR/$name" 644
    else
        echo "  (no $MODULE_NAME in $BUILT: the PKCS#11 module is not installed)"
    fi

    grep '^f ' "$TMP_MANIFEST" >"$DESTDIR$MANIFEST"
    echo "f $MANIFEST" >>"$DESTDIR$MANIFEST"
    grep '^d ' "$TMP_MANIFEST" >"$DESTDIR$MANIFEST.dirs" || true
    echo "f $MANIFEST.dirs" >>"$DESTDIR$MANIFEST"
    echo "manifest: $DESTDIR$MANIFEST (make uninstall removes what it lists)"
}

case "${1:-}" in
install) do_install ;;
uninstall) do_uninstall ;;
*) echo "usage: $0 install|uninstall" >&2; exit 2 ;;
esac
