# Build: the Swift toolchain image with libpq's headers.
FROM swift:6.2-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
RUN swift build -c release --product kefu --static-swift-stdlib

# Run: a slim Debian with libpq, the binary, the migrations and the API document.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* && useradd --system --no-create-home kefu
COPY --from=build /src/.build/release/kefu /usr/local/bin/kefu
COPY sql /usr/share/kefu/sql
COPY docs/openapi.yaml /usr/share/kefu/openapi.yaml
ENV KEFU_SQL_DIR=/usr/share/kefu/sql KEFU_OPENAPI_PATH=/usr/share/kefu/openapi.yaml KEFU_HTTP_HOST=0.0.0.0
USER kefu
EXPOSE 8080
ENTRYPOINT ["kefu"]
CMD ["serve"]
