# Sourced by test.sh: promtool, to unit-test the Prometheus alerting rules (ops/prometheus).
#   promtool_ensure   -> 0 when promtool is on PATH, installing Debian's prometheus package if it is missing
# The package starts a prometheus service on install; a test run must not leave one running, so the
# install runs under a policy-rc.d that refuses service starts (unless one is already in place), and a
# service a service manager started anyway is stopped and disabled.
promtool_ensure() {
  command -v promtool >/dev/null 2>&1 && return 0
  echo "Installing promtool (Debian package prometheus)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  local policy=/usr/sbin/policy-rc.d ours="" rc
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# test.sh: no service starts while it installs prometheus\nexit 101\n' >"$policy" 2>/dev/null && chmod +x "$policy" && ours=1
  fi
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus; } >/dev/null 2>&1
  rc=$?
  [ -n "$ours" ] && rm -f "$policy"
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
  [ "$rc" = 0 ] && command -v promtool >/dev/null 2>&1 || { echo "could not install prometheus (promtool)" >&2; return 1; }
}

# Runs the rule tests; sets RULES_PASSED and RULES_FAILED (test groups of the file, as promtool names them).
promtool_test_rules() {
  local file=grantha-rules.test.yml out total
  total=$(grep -cE '^  - name:' "ops/prometheus/$file")
  RULES_PASSED=0; RULES_FAILED=0
  if out=$(cd ops/prometheus && promtool test rules "$file" 2>&1); then
    RULES_PASSED=$total
  else
    echo "$out"
    # Each failed case names its group ("name: stuck batch,"); a file that does not load names none.
    RULES_FAILED=$(echo "$out" | grep -oE '^[[:space:]]+name: [^,]+' | sort -u | wc -l)
    [ "$RULES_FAILED" -gt 0 ] || RULES_FAILED=1
    RULES_PASSED=$(( total > RULES_FAILED ? total - RULES_FAILED : 0 ))
  fi
  echo "Alerting rules (promtool test rules ops/prometheus/$file): $RULES_PASSED passed, $RULES_FAILED failed"
}
