# syntax=docker/dockerfile:1
# The operator image: one static-enough binary on distroless/cc (glibc, CA certificates, no shell),
# running as the distroless `nonroot` user (uid/gid 65532). Build from the repository root:
#   docker build -t acs-push-operator:dev .

FROM rust:1.95-bookworm AS builder
WORKDIR /src
# The workspace manifest names emulator/ as a member, so cargo needs its manifest and sources to
# resolve the workspace, even though only the operator is built.
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY src ./src
COPY emulator ./emulator
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --package acs-push-operator --bin acs-push-operator \
    && install -D -m 0755 target/release/acs-push-operator /out/acs-push-operator

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /out/acs-push-operator /usr/local/bin/acs-push-operator
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/acs-push-operator"]
CMD ["run"]
