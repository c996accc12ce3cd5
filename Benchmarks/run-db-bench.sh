#!/usr/bin/env bash
# Builds kefu-bench in release mode (in its own scratch folder, so it never disturbs the
# default .build of a concurrent `swift build`/`swift test`) and runs the database insert
# benchmark: KefuPostgres vs pgbench, side by side. Arguments pass through to `kefu-bench db`:
#
#   Benchmarks/run-db-bench.sh                      # 5 s runs at 1, 4, 16 clients, 3 rounds
#   Benchmarks/run-db-bench.sh --seconds 10 --json
#   Benchmarks/run-db-bench.sh --database-url 'postgres://postgres@localhost/bench'
set -euo pipefail

cd "$(dirname "$0")"
scratch=.build-bench
configuration=${BENCH_CONFIGURATION:-release}   # debug for the smoke run

swift build -c "$configuration" --product kefu-bench --scratch-path "$scratch" >&2
exec "$(swift build -c "$configuration" --product kefu-bench --scratch-path "$scratch" --show-bin-path)/kefu-bench" db "$@"
