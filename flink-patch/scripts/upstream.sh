# Shared by make-patches.sh and check-patches.sh (source it; not executable on its own).
# Knows where each overlay's patched Flink classes are and fetches the matching upstream source:
# the -sources.jar that Apache publishes on Maven Central beside every release artifact.

FLINK_PATCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAVEN_REPO=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}

# Modules whose sources hold the hook classes: flink-streaming-java up to 1.20, flink-runtime
# from 2.x (the streaming runtime moved there); each file is looked up in both.
HOOK_ARTIFACTS="flink-streaming-java flink-runtime"

# Overlay module directories, one per supported Flink release.
overlay_dirs() {
    (cd "$FLINK_PATCH_DIR" && ls -d overlay-*/ | tr -d /)
}

# The exact Flink release an overlay module is built against (its <flink.version>).
overlay_version() {
    sed -n 's:.*<flink.version>\(.*\)</flink.version>.*:\1:p' "$FLINK_PATCH_DIR/$1/pom.xml" | head -n 1
}

# javac --release for a Flink release: 1.x runs on Java 8, 2.x needs Java 11.
java_release() {
    case "$1" in
        1.*) echo 8 ;;
        *) echo 11 ;;
    esac
}

# Path of org.apache.flink:<artifact>:<version>:jar:sources, downloaded if missing.
sources_jar() {
    local artifact=$1 version=$2
    local jar="$MAVEN_REPO/org/apache/flink/$artifact/$version/$artifact-$version-sources.jar"
    if [ ! -f "$jar" ]; then
        mvn -q -B dependency:get -Dtransitive=false \
            -Dartifact="org.apache.flink:$artifact:$version:jar:sources" > /dev/null 2>&1 \
            || echo "mvn dependency:get failed for org.apache.flink:$artifact:$version:jar:sources" >&2
    fi
    [ -f "$jar" ] || { echo "cannot obtain $jar" >&2; return 1; }
    echo "$jar"
}

# The hook artifact whose sources.jar contains <path> (e.g. org/apache/flink/.../X.java).
artifact_of() {
    local path=$1 version=$2 artifact jar
    for artifact in $HOOK_ARTIFACTS; do
        jar=$(sources_jar "$artifact" "$version") || return 1
        if unzip -l "$jar" "$path" > /dev/null 2>&1; then
            echo "$artifact"
            return 0
        fi
    done
    echo "no upstream source for $path in Flink $version ($HOOK_ARTIFACTS)" >&2
    return 1
}

# Patched Flink sources of an overlay, relative to its src/main/java, sorted.
patched_sources() {
    (cd "$FLINK_PATCH_DIR/$1/src/main/java" && find org/apache/flink -name '*.java' | LC_ALL=C sort)
}
