# failwatch container image.
#
#   docker build -t failwatch .
#   podman build --format docker -t failwatch .    # keeps HEALTHCHECK
#
# Both stages are Debian bookworm, the distribution failwatch is built and
# tested on: debian:bookworm to build, debian:bookworm-slim to run.
# DEBIAN_IMAGE names the repository of both, so the image also builds from
# a locally imported base (no registry access needed), e.g. from mmdebstrap:
#   mmdebstrap --variant=minbase bookworm bookworm.tar
#   podman import bookworm.tar localhost/debian:bookworm
#   podman tag localhost/debian:bookworm localhost/debian:bookworm-slim
#   buildah bud --format docker --build-arg DEBIAN_IMAGE=localhost/debian -t failwatch .
# `--target prebuilt` packages a binary built outside (./failwatch in the
# build context) into the same runtime stage instead of compiling it: the
# tests use it to build and run the image in a minute. See docs/deploying.md.
ARG DEBIAN_IMAGE=debian

# ---- build stage: compilers and the -dev packages -------------------------
FROM ${DEBIAN_IMAGE}:bookworm AS build
ARG DEBIAN_FRONTEND=noninteractive
# The -dev packages of scripts/install-deps.sh (BUILD_PACKAGES) minus the
# test-only ones (gtest, gmock, benchmark).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      prometheus-cpp-dev libpq-dev librdkafka-dev libc-ares-dev \
      libspdlog-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev \
      libboost-dev libssl-dev libsystemd-dev libre2-dev zlib1g-dev libcrypt-dev \
      libjemalloc-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ARG BUILD_JOBS=2
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFAILWATCH_BUILD_TESTS=OFF \
 && cmake --build build -j "${BUILD_JOBS}" --target failwatch \
 && strip --strip-unneeded build/failwatch \
 && build/failwatch --version

# ---- runtime stage: only the shared libraries the binary links ------------
FROM ${DEBIAN_IMAGE}:bookworm-slim AS runtime
ARG DEBIAN_FRONTEND=noninteractive
# Exactly what dpkg-shlibdeps computes for the binary (libc6, libgcc-s1 and
# libstdc++6 are already in the base); tests/integration/
# shipping_docker_test.sh fails when this list and the binary disagree.
# ca-certificates: for sslmode=verify-full and Kafka SSL. (libsystemd0, which
# --web.systemd-socket dlopen()s, is in the base already: apt needs it.)
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates \
      libc-ares2 libcrypt1 libfmt9 libjemalloc2 libpq5 libssl3 \
      librdkafka1 libre2-9 libspdlog1.10 libyaml-cpp0.7 \
      zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin failwatch
COPY examples/failwatch.yml /usr/share/doc/failwatch/examples/failwatch.yml

# GnuTLS (libpq -> libldap -> GnuTLS) initialises itself in its library
# constructor unless told not to: ~1 MiB RSS for a library failwatch never
# uses (libldap initialises it when it needs it). deploying.md, Resource sizing.
ENV GNUTLS_NO_IMPLICIT_INIT=1
# Numeric, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 19921
# Mount your config at /etc/failwatch/failwatch.yml (and secrets wherever its
# password_file entries point). The check assumes the default port. (No
# --start-period: /healthz answers within a second of the start.)
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["/usr/bin/failwatch", "--probe", "http://127.0.0.1:19921/healthz"]
ENTRYPOINT ["/usr/bin/failwatch"]
CMD ["--config", "/etc/failwatch/failwatch.yml"]

# ---- prebuilt: the runtime stage with a binary built outside --------------
# (buildah bud / docker build --target prebuilt; the context holds
# ./failwatch, stripped, and examples/failwatch.yml.) Not part of the default
# build: BuildKit and buildah skip stages the target does not need.
FROM runtime AS prebuilt
COPY failwatch /usr/bin/failwatch
# Fails the build if a library is missing from the runtime stage's list.
RUN ! ldd /usr/bin/failwatch | grep -F 'not found' \
 && /usr/bin/failwatch --version

# ---- the image: the runtime stage with the binary compiled above ----------
FROM runtime
COPY --from=build /src/build/failwatch /usr/bin/failwatch
RUN ! ldd /usr/bin/failwatch | grep -F 'not found' \
 && /usr/bin/failwatch --version
