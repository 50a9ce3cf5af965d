# The release binaries of One Login (`one-login`, the provider) and of the demo department
# service (`one-login-department`), on a slim Debian. Used by docker-compose.yml.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin one-login --bin one-login-department

FROM debian:bookworm-slim
# curl: the compose health checks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
# The data folders are the service's alone (0700): they hold key files and databases.
RUN useradd --system --home-dir /var/lib/one-login one-login \
    && mkdir -p /var/lib/one-login/provider /var/lib/one-login/driving-licence /var/lib/one-login/benefits \
    && chown -R one-login /var/lib/one-login \
    && chmod 0700 /var/lib/one-login/provider /var/lib/one-login/driving-licence /var/lib/one-login/benefits
COPY --from=build /src/target/release/one-login /src/target/release/one-login-department /usr/local/bin/
COPY config /srv/one-login/config
WORKDIR /srv/one-login
USER one-login
CMD ["one-login", "serve"]
