# The sidecar image: the `rightsize` binary alone, built with the small `sidecar` profile.
#
#   docker build -f deploy/docker/sidecar.Dockerfile -t rightsize-sidecar .
#
# Runs as an unprivileged user; reads the log volume, writes only its state directory there.
FROM rust:1.85-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --locked --profile sidecar -p rightsize --bin rightsize \
 && install -Dm755 target/sidecar/rightsize /out/rightsize

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/rightsize /usr/local/bin/rightsize
# glibc malloc with few arenas keeps the resident set near the binary's size.
ENV MALLOC_ARENA_MAX=2
# The same uid as the Flink image's `flink` user, so both can write the shared log volume.
USER 9999:9999
EXPOSE 9470
ENTRYPOINT ["/usr/local/bin/rightsize", "sidecar"]
CMD ["--dir", "/opt/flink/log/gc", "--listen", "0.0.0.0:9470"]
