#!/usr/bin/env bash
# bench/run.sh <engine|import|rescue|ingest100k|extract|resolve|review|politeness|dashboard> [--json] [--key value ...]
# Builds the app and the bench program in Release, starts a throwaway PostgreSQL with default
# durability (unless GRANTHA_BENCH_PG is set), and runs one benchmark. With --json the last line
# of stdout is one JSON object with the figures; the human-readable table goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/throwaway-pg.sh
source scripts/runtime-env.sh
[ $# -ge 1 ] || { echo "usage: bench/run.sh <engine|import|rescue|ingest100k|extract|resolve|review|politeness|dashboard> [--json]" >&2; exit 4; }

./grantha --version >/dev/null   # builds artifacts/app when the sources changed
export GRANTHA_APP_DLL="$here/artifacts/app/grantha.dll"
if [ -z "${GRANTHA_BENCH_PG:-}" ]; then
  pg_throwaway_start durable >&2 || { echo "could not start PostgreSQL" >&2; exit 1; }
  export GRANTHA_BENCH_PG="$PG_THROWAWAY_CS"
fi
dotnet build bench/Grantha.Bench -c Release --nologo -v q -clp:NoSummary >&2
dotnet bench/Grantha.Bench/bin/Release/net10.0/Grantha.Bench.dll "$@"
