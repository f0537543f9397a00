# Shared by the project's scripts: where downloads are cached, and how to install what a
# fresh machine lacks. Source it; do not run it.

# One cache for every clone of the project on this machine (CI clones afresh each run).
RIGHTSIZE_CACHE="${RIGHTSIZE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rightsize}"
export RIGHTSIZE_CACHE
mkdir -p "$RIGHTSIZE_CACHE"

step() { printf '\n==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs Debian packages that are missing; needs root (or sudo).
ensure_debian_packages() {
    local missing=()
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "need root to install: ${missing[*]} (apt-get install ${missing[*]})"
        sudo="sudo"
    fi
    step "Installing ${missing[*]} (Debian packages)"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
