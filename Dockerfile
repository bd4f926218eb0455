# A small static image of fm-operator: built against musl, shipped on an empty base.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools && rm -rf /var/lib/apt/lists/* \
 && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl -p fm-operator \
 && cp target/x86_64-unknown-linux-musl/release/fm-operator /fm-operator

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /fm-operator /fm-operator
USER 65532:65532
ENTRYPOINT ["/fm-operator"]
CMD ["run"]
