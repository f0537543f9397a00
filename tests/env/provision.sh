#!/usr/bin/env bash
# Provisions the local Flink + Kafka test environment into the per-user cache, from the pins in
# tests/env/versions.lock, so that every clone (and CI's fresh one) shares one download:
#   - a runnable FLINK_HOME per Flink version, assembled from the PyPI packages apache-flink
#     (bin/, conf/) and apache-flink-libraries (lib/, opt/, plugins/): Apache publishes no
#     distribution tarball to a registry this machine reaches;
#   - the Flink Kafka connector and its runtime jars, for each Flink version that has one;
#   - a KRaft-capable Kafka broker and its tools, as the official Apache Kafka jars on Maven Central.
# PyPI files are checked against the sha256 pinned in the lock (pip checks them too); Maven checks
# Central's checksums (-C) and the resolved jar set is checked against its pinned digest. Each
# component is assembled in a temporary folder and moved into place whole, so an interrupted run
# leaves nothing half-made; a later run finds finished components by their marker and skips them.
#
#   tests/env/provision.sh                     everything in the lock
#   tests/env/provision.sh --flink 2.2.1       one Flink version (repeatable; or `all`), and Kafka
#   tests/env/provision.sh --no-kafka ...      without the Kafka broker
#   tests/env/provision.sh --check ...         download nothing; verify every file of the cache
#                                              against its manifest; exit 1 if anything is missing
set -euo pipefail
. "$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib/common.sh"
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

usage() { sed -n '/^#   tests/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

check_only=false
with_kafka=true
flink_versions=()
while [ $# -gt 0 ]; do
    case "$1" in
        --check) check_only=true ;;
        --no-kafka) with_kafka=false ;;
        --flink) [ $# -ge 2 ] || usage; flink_versions+=("$2"); shift ;;
        -h | --help) usage ;;
        *) printf 'unknown argument: %s\n' "$1" >&2; usage ;;
    esac
    shift
done
if [ "${#flink_versions[@]}" -eq 0 ] || [ "${flink_versions[*]}" = all ]; then
    mapfile -t flink_versions < <(lock_flink_versions)
fi

MARKER=".rightsize-provisioned"   # holds the lock line the component was made from
MANIFEST=".rightsize-manifest"    # sha256 of every file of the component, for --check

# A component is ready when its marker matches the lock line it would be made from now.
is_ready() { [ -f "$1/$MARKER" ] && [ "$(cat "$1/$MARKER")" = "$2" ]; }

# Whether a component can stay as it is: ready (and, with --check, intact), or missing in --check
# mode, which only notes it. Returns 1 when it must be provisioned now.
settled() {
    local label="$1" dir="$2" fields="$3"
    if is_ready "$dir" "$fields"; then
        if $check_only; then
            verify_manifest "$dir" || die "$label in $dir is damaged: delete it and provision again"
        fi
        note "$label: ready ($dir)"
        return 0
    fi
    $check_only && { note "$label: MISSING"; missing=1; return 0; }
    return 1
}

# Full check of a ready component: every file still has the digest it had when assembled.
verify_manifest() {
    (cd "$1" && sha256sum --quiet --strict -c "$MANIFEST") >&2
}

# Seals a folder assembled under a temporary name and moves it to its place in one step.
seal_and_move() {
    local staging="$1" target="$2" lock_line="$3"
    (cd "$staging" && find . -type f -printf '%P\n' | LC_ALL=C sort \
        | xargs -r -d '\n' sha256sum >"../$MANIFEST.tmp")
    mv "$staging/../$MANIFEST.tmp" "$staging/$MANIFEST"
    printf '%s\n' "$lock_line" >"$staging/$MARKER"
    rm -rf "$target"
    mv "$staging" "$target"
}

# A fresh temporary folder inside the cache (same file system, so the final move is a rename).
staging_dir() { mktemp -d "$RIGHTSIZE_ENV_CACHE/.staging-$1.XXXXXX"; }

# A digest checked against its pin; `unpinned` in the lock accepts it and says what to pin.
check_pin() {
    local what="$1" pinned="$2" actual="$3"
    if [ "$pinned" = unpinned ]; then
        note "WARNING: $what is unpinned; pin it in versions.lock: $actual"
    elif [ "$pinned" != "$actual" ]; then
        die "$what: digest $actual differs from the pin $pinned in versions.lock (a changed upstream artifact, or a moved pin: see the lock's header)"
    fi
}

ensure_tools() {
    command -v java >/dev/null 2>&1 || ensure_debian_packages openjdk-17-jdk-headless
    command -v mvn >/dev/null 2>&1 || ensure_debian_packages maven
    command -v curl >/dev/null 2>&1 || ensure_debian_packages curl
    command -v ps >/dev/null 2>&1 || ensure_debian_packages procps
    command -v openssl >/dev/null 2>&1 || ensure_debian_packages openssl
    python3 -m pip --version >/dev/null 2>&1 || ensure_debian_packages python3-pip
}

# Downloads one pinned PyPI file with pip (which checks the hash) and checks it again by name.
pypi_download() {
    local package="$1" version="$2" file="$3" sha256="$4" into="$5"
    local requirements="$into/requirements-$package.txt"
    printf '%s==%s --hash=sha256:%s\n' "$package" "$version" "$sha256" >"$requirements"
    local kind=(--only-binary=:all:)
    case "$file" in
        *.tar.gz) kind=(--no-binary=:all:) ;;
        *-cp311-*) kind+=(--python-version 3.11 --implementation cp --abi cp311 --platform manylinux2014_x86_64) ;;
    esac
    note "pip download $file"
    python3 -m pip download --quiet --no-deps --require-hashes --progress-bar off \
        "${kind[@]}" -d "$into" -r "$requirements" >&2
    [ -f "$into/$file" ] || die "pip downloaded something other than $file into $into"
    echo "$sha256  $into/$file" | sha256sum --quiet --strict -c >&2 \
        || die "$file does not match its sha256 in versions.lock"
}

# Unpacks the parts of a PyPI archive under one prefix (pyflink/ in wheels, deps/ in the 1.20
# sdist, whose top folder is apache_flink_libraries-<v>/) into a folder.
extract_parts() {
    local archive="$1" into="$2"
    shift 2
    python3 - "$archive" "$into" "$@" <<'PY'
import os, shutil, sys, tarfile, zipfile

archive, into, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]

def target(name):
    """The destination of an archive member under one of the prefixes, or None."""
    parts = name.split("/")
    if archive.endswith(".tar.gz"):
        parts = parts[1:]  # the sdist's top folder
    rel = "/".join(parts)
    for prefix in prefixes:
        if rel.startswith(prefix) and len(rel) > len(prefix):
            path = os.path.normpath(os.path.join(into, rel.split("/", 1)[1]))
            if not path.startswith(os.path.normpath(into) + os.sep):
                raise SystemExit(f"refusing to extract {name} outside {into}")
            return path
    return None

def copy(source, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        shutil.copyfileobj(source, out)

if archive.endswith(".tar.gz"):
    with tarfile.open(archive) as tar:
        for member in tar:
            path = target(member.name)
            if path and member.isfile():
                copy(tar.extractfile(member), path)
else:
    with zipfile.ZipFile(archive) as wheel:
        for info in wheel.infolist():
            path = target(info.filename)
            if path and not info.is_dir():
                with wheel.open(info) as source:
                    copy(source, path)
PY
}

provision_flink() {
    local version="$1" fields
    fields="$(lock_lines flink "$version")"
    [ -n "$fields" ] || die "Flink $version is not pinned in versions.lock (pinned: $(lock_flink_versions | paste -sd' ' -))"
    local _v wheel wheel_sha libs libs_sha home
    read -r _v wheel wheel_sha libs libs_sha <<<"$fields"
    home="$(flink_home_cached "$version")"
    # The jars added to opt/ from Maven Central are part of what the home is made from.
    local opt_pins
    opt_pins="$(lock_lines flink-opt "$version")"
    [ -z "$opt_pins" ] || fields+=$'\n'"$opt_pins"
    settled "Flink $version" "$home" "$fields" && return 0

    step "Flink $version: downloading from PyPI (~$([ "${libs%.tar.gz}" != "$libs" ] && echo 230 || echo 330) MB)"
    local staging downloads
    staging="$(staging_dir "flink-$version")"
    downloads="$staging/.downloads"
    mkdir -p "$downloads"
    pypi_download apache-flink "$version" "$wheel" "$wheel_sha" "$downloads"
    pypi_download apache-flink-libraries "$version" "$libs" "$libs_sha" "$downloads"

    step "Flink $version: assembling FLINK_HOME"
    local home_staging="$staging/home"
    extract_parts "$downloads/$wheel" "$home_staging" pyflink/bin/ pyflink/conf/
    case "$libs" in
        *.tar.gz) extract_parts "$downloads/$libs" "$home_staging" deps/lib/ deps/opt/ deps/plugins/ deps/bin/ ;;
        *) extract_parts "$downloads/$libs" "$home_staging" pyflink/lib/ pyflink/opt/ pyflink/plugins/ pyflink/bin/ ;;
    esac
    chmod +x "$home_staging"/bin/*.sh "$home_staging"/bin/flink
    [ "$(find "$home_staging/lib" -name 'flink-dist*.jar' | wc -l)" -eq 1 ] \
        || die "Flink $version: the packages did not give exactly one lib/flink-dist*.jar"
    [ -f "$home_staging/bin/bash-java-utils.jar" ] || die "Flink $version: bin/bash-java-utils.jar missing"
    local _fv coordinates sha256
    while read -r _fv coordinates sha256; do
        [ -n "$coordinates" ] || continue
        note "mvn dependency:copy $coordinates"
        mvn -B -q -C -Dmaven.repo.local="$RIGHTSIZE_ENV_CACHE/m2" dependency:copy \
            -Dartifact="$coordinates" -DoutputDirectory="$home_staging/opt" >"$staging/maven.log" 2>&1 \
            || { tail -n 30 "$staging/maven.log" >&2; die "Maven could not fetch $coordinates (log above)"; }
        local group_artifact_version="${coordinates#*:}"
        local jar="$home_staging/opt/${group_artifact_version/:/-}.jar"
        check_pin "$coordinates" "$sha256" "$(sha256sum "$jar" | awk '{ print $1 }')"
    done <<<"$opt_pins"
    seal_and_move "$home_staging" "$home" "$fields"
    rm -rf "$staging"
    note "Flink $version: ready ($home, $(du -sh "$home" | cut -f1))"
}

# Resolves Maven coordinates with their runtime dependencies into one folder of jars.
maven_resolve() {
    local into="$1"
    shift
    local pom_dir="$into/.pom" dependencies=""
    mkdir -p "$pom_dir"
    local coordinates group artifact version exclusions
    for coordinates in "$@"; do
        IFS=: read -r group artifact version exclusions <<<"$coordinates"
        local excluded=""
        if [ -n "$exclusions" ]; then
            local pair
            for pair in ${exclusions//,/ }; do
                excluded+="<exclusion><groupId>${pair%/*}</groupId><artifactId>${pair#*/}</artifactId></exclusion>"
            done
            excluded="<exclusions>$excluded</exclusions>"
        fi
        dependencies+="<dependency><groupId>$group</groupId><artifactId>$artifact</artifactId><version>$version</version>$excluded</dependency>"
    done
    cat >"$pom_dir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>rightsize.env</groupId><artifactId>resolve</artifactId><version>0</version>
  <packaging>pom</packaging>
  <dependencies>$dependencies</dependencies>
</project>
EOF
    note "mvn dependency:copy-dependencies $*"
    (cd "$pom_dir" && mvn -B -q -C -Dmaven.repo.local="$RIGHTSIZE_ENV_CACHE/m2" \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$into" >"$into/.maven.log" 2>&1) \
        || { tail -n 30 "$into/.maven.log" >&2; die "Maven could not resolve $* (log above)"; }
    rm -rf "$pom_dir" "$into/.maven.log"
}

provision_kafka_connector() {
    local flink_version="$1" fields
    fields="$(lock_lines flink-kafka-connector "$flink_version")"
    if [ -z "$fields" ]; then
        note "Flink $flink_version: no Kafka connector pinned (none released for it)"
        return 0
    fi
    local _v version pin dir
    read -r _v version pin <<<"$fields"
    dir="$(kafka_connector_dir "$version")"
    settled "Flink Kafka connector $version" "$dir" "$fields" && return 0

    step "Flink Kafka connector $version: resolving from Maven Central"
    local staging
    staging="$(staging_dir "connector-$version")"
    maven_resolve "$staging" "org.apache.flink:flink-connector-kafka:$version:org.slf4j/slf4j-api"
    check_pin "Flink Kafka connector $version" "$pin" "$(jar_set_digest "$staging")"
    seal_and_move "$staging" "$dir" "$fields"
    note "Flink Kafka connector $version: ready ($dir, $(find "$dir" -name '*.jar' | wc -l) jars)"
}

provision_kafka() {
    local fields
    fields="$(lock_lines kafka)"
    [ -n "$fields" ] || die "versions.lock has no kafka line"
    local version pin extra dir
    read -r version pin extra <<<"$fields"
    dir="$(kafka_dir "$version")"
    settled "Kafka $version" "$dir" "$fields" && return 0

    step "Kafka $version: resolving the broker and tools from Maven Central"
    local staging
    staging="$(staging_dir "kafka-$version")"
    # shellcheck disable=SC2086 # the extra coordinates are one word each
    maven_resolve "$staging/libs" "org.apache.kafka:kafka_2.13:$version" \
        "org.apache.kafka:kafka-tools:$version" $extra
    check_pin "Kafka $version" "$pin" "$(jar_set_digest "$staging/libs")"
    seal_and_move "$staging" "$dir" "$fields"
    note "Kafka $version: ready ($dir, $(find "$dir/libs" -name '*.jar' | wc -l) jars)"
}

mkdir -p "$RIGHTSIZE_ENV_CACHE"
# One provisioner at a time per cache: two clones (or two CI jobs) would race on the same folders.
exec 9>"$RIGHTSIZE_ENV_CACHE/.lock"
if ! flock -n 9; then
    note "waiting for another provision.sh to finish with $RIGHTSIZE_ENV_CACHE"
    flock 9
fi
rm -rf "$RIGHTSIZE_ENV_CACHE"/.staging-*   # left by an interrupted run; we hold the lock

$check_only || ensure_tools
step "$($check_only && echo Checking || echo Provisioning) the Flink + Kafka environment in $RIGHTSIZE_ENV_CACHE"
missing=0   # set by the provision_* functions in --check mode
for version in "${flink_versions[@]}"; do
    provision_flink "$version"
    provision_kafka_connector "$version"
done
if $with_kafka; then
    provision_kafka
fi
[ "$missing" -eq 0 ] || die "some components are missing: run tests/env/provision.sh without --check"
note "cache size: $(du -sh "$RIGHTSIZE_ENV_CACHE" | cut -f1)"
