#!/usr/bin/env bash
# Checks every patches/<version>/*.patch against a fresh copy of that release's upstream source:
# it must apply cleanly (git apply --check, then patch -p1 with no fuzz), give exactly the
# patched classes of the overlay module, and compile with the Rightsize timing sources against
# the release's jars from Maven Central. Exits non-zero, naming the patch, on the first failure.
set -euo pipefail
source "$(dirname "$0")/upstream.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for overlay in $(overlay_dirs); do
    version=$(overlay_version "$overlay")
    patches=("$FLINK_PATCH_DIR/patches/$version"/*.patch)
    [ -e "${patches[0]}" ] || { echo "no patches for Flink $version: run make-patches.sh" >&2; exit 1; }
    tree="$work/$version/flink"
    mkdir -p "$tree"

    # A fresh upstream tree: each hook artifact's sources unpacked where a Flink checkout has them.
    for artifact in $HOOK_ARTIFACTS; do
        jar=$(sources_jar "$artifact" "$version")
        mkdir -p "$tree/$artifact/src/main/java"
        unzip -q -o "$jar" 'org/*' -d "$tree/$artifact/src/main/java"
    done

    for patch_file in "${patches[@]}"; do
        name="$version/$(basename "$patch_file")"
        (cd "$tree" && git apply --check -p1 "$patch_file") \
            || { echo "FAIL $name: git apply --check rejects it" >&2; exit 1; }
        (cd "$tree" && patch -p1 --forward --batch --fuzz=0 --quiet < "$patch_file") \
            || { echo "FAIL $name: patch -p1 does not apply cleanly" >&2; exit 1; }
        echo "ok   $name applies"
    done

    # The patched tree must hold exactly the classes the overlay jar is built from.
    patched=()
    for path in $(patched_sources "$overlay"); do
        artifact=$(artifact_of "$path" "$version")
        file="$tree/$artifact/src/main/java/$path"
        cmp -s "$file" "$FLINK_PATCH_DIR/$overlay/src/main/java/$path" \
            || { echo "FAIL $version: patched $path differs from $overlay: run make-patches.sh" >&2; exit 1; }
        patched+=("$file")
    done

    # Compile the patched classes with the timing sources against the release's own jars.
    project="$work/$version/classpath"
    mkdir -p "$project"
    cat > "$project/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.rightsize.flink.check</groupId>
  <artifactId>flink-$version-classpath</artifactId>
  <version>0</version>
  <dependencies>
    <dependency>
      <groupId>org.apache.flink</groupId>
      <artifactId>flink-streaming-java</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
POM
    mvn -q -B -f "$project/pom.xml" dependency:build-classpath \
        -Dmdep.outputFile="$project/classpath.txt" > "$work/mvn.log" 2>&1 \
        || { cat "$work/mvn.log" >&2; echo "FAIL $version: cannot resolve Flink $version jars" >&2; exit 1; }
    # The Flink glue and timing-core, and the overlay's own classes for this release (its
    # org.rightsize sources, such as TimedOutput).
    mapfile -t timing < <(find "$FLINK_PATCH_DIR/timing-core/src/main/java" \
        "$FLINK_PATCH_DIR/timing-flink/src/main/java" "$FLINK_PATCH_DIR/$overlay/src/main/java/org/rightsize" \
        -name '*.java' | LC_ALL=C sort)
    javac -nowarn -proc:none --release "$(java_release "$version")" -d "$work/$version/classes" \
        -cp "$(cat "$project/classpath.txt")" "${patched[@]}" "${timing[@]}" 2> "$work/javac.log" \
        || { cat "$work/javac.log" >&2; echo "FAIL $version: patched sources do not compile" >&2; exit 1; }
    echo "ok   $version: ${#patched[@]} patched classes compile against Flink $version"
done
echo "all patches apply and compile"
