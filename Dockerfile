# syntax=docker/dockerfile:1
# The operator image for linux/amd64 and linux/arm64: one static binary (musl libc, jemalloc) on
# distroless/static (CA certificates and the `nonroot` user, no libc, no shell), running as
# uid/gid 65532. It writes nothing to its filesystem, so `readOnlyRootFilesystem: true` works.
# Build from the repository root:
#   docker build -t acs-push-operator:dev .
#   podman build -t acs-push-operator:dev .
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/acs-push-operator:TAG --push .
#
# The builder runs on the build machine's own platform and cross-compiles to the target's musl
# triple with cargo-zigbuild (zig is the C compiler and linker for ring, aws-lc-sys and jemalloc),
# so an arm64 image needs no emulation. zig and cargo-zigbuild come as PyPI wheels, pinned.

ARG RUST_VERSION=1.95

FROM --platform=$BUILDPLATFORM rust:${RUST_VERSION}-bookworm AS builder
ARG TARGETARCH
ARG ZIG_VERSION=0.17.0
ARG CARGO_ZIGBUILD_VERSION=0.24.1
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/zig \
    && /opt/zig/bin/pip install --no-cache-dir \
        "ziglang==${ZIG_VERSION}" "cargo-zigbuild==${CARGO_ZIGBUILD_VERSION}"
ENV PATH=/opt/zig/bin:$PATH
RUN case "$TARGETARCH" in \
        amd64) echo x86_64-unknown-linux-musl ;; \
        arm64) echo aarch64-unknown-linux-musl ;; \
        *) echo "unsupported TARGETARCH '$TARGETARCH': build for linux/amd64 or linux/arm64" >&2; exit 1 ;; \
    esac >/rust-target \
    && rustup target add "$(cat /rust-target)"

WORKDIR /src
# Every workspace member's manifest and sources must be present for cargo to load the workspace,
# even though only the operator is built.
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY src ./src
COPY emulator ./emulator
COPY hack/module-stack ./hack/module-stack
# jemalloc fixes its page size when it is built: on arm64 it is built for 64 KiB pages, which also
# runs on 4 and 16 KiB kernels (arm64 nodes differ; a 4 KiB build aborts on a 64 KiB kernel).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target,sharing=locked \
    target=$(cat /rust-target) \
    && if [ "$TARGETARCH" = arm64 ]; then export JEMALLOC_SYS_WITH_LG_PAGE=16; fi \
    && cargo zigbuild --release --locked --target "$target" \
        --package acs-push-operator --bin acs-push-operator \
    && install -D -m 0755 "target/$target/release/acs-push-operator" /out/acs-push-operator

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=builder /out/acs-push-operator /usr/local/bin/acs-push-operator
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/acs-push-operator"]
CMD ["run"]
