#!/usr/bin/env bash
# Runs every test, on SQLite and on PostgreSQL. Without GRANTHA_TEST_PG it starts a throwaway
# PostgreSQL on 127.0.0.1 (installing Debian's package if needed) and removes it at exit. Then the
# unit tests of the Prometheus alerting rules (ops/prometheus; promtool from Debian's prometheus
# package, installed if missing; in CI its absence is a failure). The last line is "N passed, N failed".
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
source scripts/throwaway-pg.sh
source scripts/promtool.sh
fail() { echo "$1" >&2; echo "0 passed, 1 failed"; exit 1; }

if [ -z "${GRANTHA_TEST_PG:-}" ]; then
  pg_throwaway_start fast || fail "could not start PostgreSQL"
  export GRANTHA_TEST_PG="$PG_THROWAWAY_CS"
fi
have_promtool=1
if ! promtool_ensure; then
  [ "${CI:-}" = true ] && fail "promtool is missing and could not be installed (Debian package prometheus)"
  have_promtool=""
fi

# --- dashboard (web/): component tests (npm ci from the lockfile, vitest), the build the browser tests use
# (artifacts/web), and Debian's chromium for them (installed when missing, as PostgreSQL is). Counted in the last line.
web_passed=0; web_failed=0
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  echo "Dashboard component tests (web/, vitest):"
  web_json="$(mktemp)"
  if (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    (cd web && npx vitest run --reporter=default --reporter=json --outputFile.json="$web_json")
    read -r web_passed web_failed < <(node -e 'try { const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(r.numPassedTests, r.numFailedTests || (r.success ? 0 : 1)); } catch { console.log("0 1"); }' "$web_json")
    (cd web && npm run --silent build >/dev/null) && touch artifacts/.web-built 2>/dev/null \
      || { echo "dashboard build failed (npm run build in web/)"; web_failed=$((web_failed + 1)); }
  else
    echo "dashboard tests: npm ci failed (web/package-lock.json)"; web_failed=1
  fi
  rm -f "$web_json"
elif [ "${CI:-}" = "true" ]; then
  echo "dashboard tests: Node.js 20 and npm are required in CI (CI=true) and are missing"; web_failed=1
else
  echo "(dashboard tests skipped: Node.js 20 and npm are not installed)"
fi
if [ ! -x "${GRANTHA_CHROMIUM:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium for the dashboard's browser tests..."
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
    || echo "could not install chromium: the browser tests say so (in CI they fail)"
fi
# --- end of the dashboard block ---

log="$(mktemp)"
# The run's temp folder: whatever the tests write to TMPDIR goes here and is removed at exit (the tests also
# remove their own per-run folder inside it), so a run leaves the system temp folder as it found it.
run_tmp="$(mktemp -d -t grantha-test.XXXXXX)"
trap 'rm -rf "$run_tmp"; pg_throwaway_stop' EXIT  # replaces, and keeps, the throwaway server's own trap
if ! dotnet build tests/Grantha.Tests -c Release --nologo -v q -clp:NoSummary >"$log" 2>&1; then
  cat "$log" >&2; fail "build failed"
fi
TMPDIR="$run_tmp" dotnet test --project tests/Grantha.Tests -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
count() { grep -E "^\s*$1:" "$log" | tail -1 | grep -oE '[0-9]+' || true; }
total=$(count total); failed=$(count failed); passed=$(count succeeded); skipped=$(count skipped)
# CI shows only the end of the output; the run's captured console comes after the failures,
# so each failed test is repeated here (its first lines: name, message, top of the stack).
if grep -qE '^failed ' "$log"; then
  echo "Failed tests:"
  awk '/^failed /{n=0; on=1; print; next} on && /^[[:space:]]/ && n<24 {print; n++; next} {on=0}' "$log"
fi
rm -f "$log"
[ -n "$total" ] || fail "the test run did not finish"
if [ "$status" != 0 ] && [ "${failed:-0}" = 0 ]; then failed=1; fi
passed=$(( ${passed:-0} + web_passed )); failed=$(( ${failed:-0} + web_failed )) # the dashboard block's counts
[ "${skipped:-0}" = 0 ] || echo "(${skipped} skipped: see the reasons above)"
RULES_PASSED=0; RULES_FAILED=0
if [ -n "$have_promtool" ]; then promtool_test_rules
else echo "(alerting rule tests skipped: promtool is missing and could not be installed)"; fi
passed=$(( ${passed:-0} + RULES_PASSED )); failed=$(( ${failed:-0} + RULES_FAILED ))
echo "${passed} passed, ${failed} failed"
[ "${failed}" = 0 ]
