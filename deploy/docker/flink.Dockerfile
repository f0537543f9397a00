# A stock Flink image plus Rightsize's record timing: the overlay jar for the release and the
# native aggregator it loads (without the library, a pure-Java fallback runs, with one warning).
#
# Build the two artefacts first (see flink-patch/README.md), then, from the repository root:
#
#   cargo build --release -p jni-metrics
#   mvn -B -f flink-patch/pom.xml package -DskipTests
#   docker build -f deploy/docker/flink.Dockerfile \
#       --build-arg FLINK_IMAGE=flink:1.20.5-java17 \
#       --build-arg OVERLAY=flink-patch/overlay-1.20/target/rightsize-flink-overlay-1.20.5-0.1.0-SNAPSHOT.jar \
#       -t flink-rightsize:1.20.5 .
#
# For Flink 2.3.0: FLINK_IMAGE=flink:2.3.0-java17 and the overlay-2.x jar.
ARG FLINK_IMAGE=flink:1.20.5-java17
FROM ${FLINK_IMAGE}
ARG OVERLAY=flink-patch/overlay-1.20/target/rightsize-flink-overlay-1.20.5-0.1.0-SNAPSHOT.jar
COPY --chown=flink:flink ${OVERLAY} /opt/flink/lib/rightsize-flink-overlay.jar
COPY --chown=flink:flink target/release/libjni_metrics.so /opt/flink/lib/libjni_metrics.so
# The GC log directory the sidecar shares (an emptyDir mounted over it in the pod).
RUN mkdir -p /opt/flink/log/gc && chown flink:flink /opt/flink/log/gc
