# syntax=docker/dockerfile:1

# Plenary in two stages: the toolchain image builds a release binary with Swift's runtime linked in statically,
# and a slim Debian image runs it with nothing but libpq beside it.
#
#   docker build -t plenary .
#   docker compose up --build        (with PostgreSQL: see docker-compose.yml)

# ---- build ---------------------------------------------------------------------------------------------------
FROM swift:6.2-bookworm AS build

# libpq's headers, found through pkg-config as Sources/CLibPQ declares.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first, in a layer of their own, so editing a source file does not fetch them again.
# Package.resolved is not committed; when a local one is in the context it pins the same versions here.
COPY Package.* ./
RUN swift package resolve $([ -f Package.resolved ] && echo --force-resolved-versions || true)

COPY . .

# The binary and every resource bundle go to /staging together: Bundle.module looks for the bundles beside
# the executable.
RUN swift build -c release --product plenary --static-swift-stdlib \
    && bin="$(swift build -c release --show-bin-path)" \
    && mkdir -p /staging \
    && cp "$bin/plenary" /staging/ \
    && find -L "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \;

# ---- run -----------------------------------------------------------------------------------------------------
FROM debian:bookworm-slim

# libpq5 is the only library the binary links beyond glibc and libstdc++; tzdata for time zones,
# ca-certificates for TLS connections to a database (sslmode=verify-full).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --user-group --uid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin plenary

WORKDIR /app
COPY --from=build /staging/ /app/
ENV PATH=/app:$PATH

USER plenary:plenary
EXPOSE 7411

# `docker run IMAGE` serves; `docker run IMAGE <command>` runs any other plenary command instead. Serving on
# 0.0.0.0 in clear needs PLENARY_SERVER_ALLOW_PLAINTEXT_REMOTE=true (publish the port on loopback only) or
# PLENARY_SERVER_TLS_CERTIFICATE and PLENARY_SERVER_TLS_KEY.
ENTRYPOINT ["/app/plenary"]
CMD ["serve", "--listen", "0.0.0.0:7411"]
