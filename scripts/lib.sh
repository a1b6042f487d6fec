# shellcheck shell=bash
# Shared helpers for scripts/start and scripts/test. Source it, don't run it.
#
# After sourcing, KEFU_ROOT is the repository root and the current directory is
# KEFU_ROOT, so the calling script works from any working directory.

KEFU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$KEFU_ROOT" || exit 1

VENV="$KEFU_ROOT/.venv"
INSTALL_STAMP="$VENV/.kefu-install-stamp"

# Print a short progress line.
step() { printf '==> %s\n' "$*"; }

# Print an error and exit.
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# Serialise bootstrapping between scripts running at the same time (two pip
# installs into one venv, or two apt-gets, would trip over each other). The lock
# is taken on pyproject.toml itself, so no lock file is left in the work tree.
bootstrap_lock() {
    command -v flock >/dev/null || return 0
    exec {KEFU_LOCK_FD}<"$KEFU_ROOT/pyproject.toml"
    flock "$KEFU_LOCK_FD"
}

bootstrap_unlock() {
    [[ -n ${KEFU_LOCK_FD:-} ]] || return 0
    exec {KEFU_LOCK_FD}<&-
    unset KEFU_LOCK_FD
}

# Fingerprint of everything that affects `pip install -e .`: the project
# metadata, the build hook and the translation catalogs the hook compiles.
# File names are part of the hash, so adding or removing a catalog counts too.
install_fingerprint() {
    local files=(pyproject.toml scripts/hatch_build.py)
    local po
    while IFS= read -r po; do
        files+=("$po")
    done < <(find kefu/locale -path '*/LC_MESSAGES/*.po' -type f 2>/dev/null | LC_ALL=C sort)
    local existing=() f
    for f in "${files[@]}"; do
        [[ -f $f ]] && existing+=("$f")
    done
    sha256sum -- "${existing[@]}" | sha256sum | cut -d' ' -f1
}

# Create .venv if needed and (re)install kefu into it when its inputs changed.
#   bootstrap_python test  -> pip install -e '.[test]'
#   bootstrap_python       -> pip install -e .  (skipped if any install is current)
# The stamp holds "<fingerprint> <extras>"; an install with test extras also
# satisfies a plain one, so scripts/start never downgrades scripts/test's venv.
bootstrap_python() {
    local extras="${1:-}"

    # A venv whose interpreter no longer runs (e.g. the base Python was removed)
    # can't be repaired in place: start over.
    if [[ -d $VENV ]] && ! "$VENV/bin/python" -c '' 2>/dev/null; then
        step "existing .venv is broken; recreating it"
        rm -rf "$VENV"
    fi

    if [[ ! -x $VENV/bin/python ]]; then
        python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
            || die "kefu needs Python 3.11+, but python3 is $(python3 --version 2>&1)"
        step "creating virtualenv in .venv"
        python3 -m venv "$VENV"
    fi

    local fingerprint stamp_hash="" stamp_extras=""
    fingerprint="$(install_fingerprint)"
    if [[ -f $INSTALL_STAMP ]]; then
        read -r stamp_hash stamp_extras <"$INSTALL_STAMP" || true
    fi

    if [[ $stamp_hash == "$fingerprint" && -x $VENV/bin/kefu ]] \
        && [[ -z $extras || $stamp_extras == "$extras" ]]; then
        step "Python packages up to date"
        return 0
    fi

    local target="."
    [[ -n $extras ]] && target=".[$extras]"
    step "installing Python packages (pip install -e '$target')"
    rm -f "$INSTALL_STAMP"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$target"
    printf '%s %s\n' "$fingerprint" "$extras" >"$INSTALL_STAMP"
}
