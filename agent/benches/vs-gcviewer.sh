#!/usr/bin/env bash
# Side-by-side run of `rightsize gc` and GCViewer on the same GC logs: the ratio of wall times
# (target: rightsize at least 50x faster) and the summary fields where the two disagree.
#
# Fetches GCViewer's released jar from Maven Central into the per-user cache (checksum pinned
# here), builds rightsize in release mode, then hands over to vs-gcviewer.py, which does the
# timing and the comparison. Speed is reported, never asserted: the exit status is 0 whatever
# the ratio. When GCViewer cannot be had (no Maven Central, no java) it says why and times
# rightsize alone.
#
# Usage:   agent/benches/vs-gcviewer.sh [--rounds N] [LOG...]   (default: 3 rounds, 7 samples)
# Env:     RIGHTSIZE_CACHE  per-user tool cache (default $XDG_CACHE_HOME/rightsize or ~/.cache/rightsize)
#          JAVA             java binary (default: java on PATH)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${RIGHTSIZE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rightsize}"
java="${JAVA:-java}"

# GCViewer on Maven Central: com.github.chewiebug:gcviewer (1.35 and 1.36 published; 1.36 is
# the last release, 2019). It has no runtime dependencies (its POM lists test scope only).
gcviewer_version="1.36"
gcviewer_sha256="5e6757735903d1d3b8359ae8fabc66cdc2ac6646725e820a18e55b85b3bc00f4"
gcviewer_dir="$cache/gcviewer"
gcviewer_jar="$gcviewer_dir/gcviewer-$gcviewer_version.jar"
central="https://repo.maven.apache.org/maven2/com/github/chewiebug/gcviewer/$gcviewer_version"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Prints nothing and returns 0 when the jar is in the cache and verified; otherwise prints why not.
fetch_gcviewer() {
    if [[ -f "$gcviewer_jar" && "$(sha256_of "$gcviewer_jar")" == "$gcviewer_sha256" ]]; then
        return 0
    fi
    mkdir -p "$gcviewer_dir"
    local download="$gcviewer_dir/.download.$$"
    rm -rf "$download" && mkdir -p "$download"
    if command -v mvn >/dev/null 2>&1; then
        # Maven honours the user's mirror and proxy settings, and checks Central's own checksum.
        mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
            -Dartifact="com.github.chewiebug:gcviewer:$gcviewer_version:jar" \
            -DoutputDirectory="$download" >"$download/mvn.log" 2>&1 || true
    fi
    if [[ ! -f "$download/gcviewer-$gcviewer_version.jar" ]] && command -v curl >/dev/null 2>&1; then
        curl -fsSL -o "$download/gcviewer-$gcviewer_version.jar" "$central/gcviewer-$gcviewer_version.jar" || true
    fi
    local got="$download/gcviewer-$gcviewer_version.jar"
    if [[ ! -f "$got" ]]; then
        rm -rf "$download"
        echo "could not download com.github.chewiebug:gcviewer:$gcviewer_version from Maven Central (needs mvn or curl and access to Central)"
        return 1
    fi
    if [[ "$(sha256_of "$got")" != "$gcviewer_sha256" ]]; then
        rm -rf "$download"
        echo "gcviewer-$gcviewer_version.jar from Maven Central has SHA-256 $(sha256_of "$got"), expected $gcviewer_sha256; not used"
        return 1
    fi
    mv "$got" "$gcviewer_jar"
    rm -rf "$download"
}

gcviewer_args=()
if ! command -v "$java" >/dev/null 2>&1; then
    gcviewer_args=(--gcviewer-missing-reason "no java runtime found (install a JDK or set JAVA)")
elif reason="$(fetch_gcviewer)"; then
    gcviewer_args=(--gcviewer "$gcviewer_jar")
else
    gcviewer_args=(--gcviewer-missing-reason "$reason")
fi

echo "vs-gcviewer: building rightsize (release)"
cargo build --quiet --release -p rightsize --bin rightsize --manifest-path "$repo/Cargo.toml"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"

exec python3 "$here/vs-gcviewer.py" --rightsize "$target_dir/release/rightsize" --java "$java" \
    "${gcviewer_args[@]}" "$@"
