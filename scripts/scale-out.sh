#!/usr/bin/env bash
# Acceptance runs of the engine against one PostgreSQL with several worker processes.
#   scripts/scale-out.sh plain        3 workers, the Trinity manifests, politeness on (50 ms, 2 per host)
#   scripts/scale-out.sh kill         the same; kill -9 one worker mid-batch
#   scripts/scale-out.sh pg-restart   the same; restart PostgreSQL mid-batch
#   scripts/scale-out.sh faults       the same with the site at 10% 5xx, 5% 429 (Retry-After 2), 2% time-outs, 1% 404
# Prints the batch summary, duplicate checks from the evidence and the event log, and the
# site's own per-host numbers (requests in flight, smallest gap between request starts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
source scripts/throwaway-pg.sh
mode="${1:-plain}"
delay_ms="${DELAY_MS:-50}"; per_host="${PER_HOST:-2}"; port="${SITE_PORT:-5181}"
work="$(mktemp -d /tmp/grantha-scale.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pg_throwaway_stop; }
./grantha --version >/dev/null
pg_throwaway_start durable
trap cleanup EXIT   # after pg_throwaway_start, which sets its own EXIT trap
db="$PG_THROWAWAY_CS"
psql_() { _pg_run psql -h 127.0.0.1 -p "$PG_THROWAWAY_PORT" -U postgres -d postgres -At -c "$1"; }
./grantha migrate --db "$db" >/dev/null

faults=""
[ "$mode" = faults ] && faults="5xx=0.10,429=0.05,retry-after=2,timeout=0.02,404=0.01"
# The site plays the remote hosts, which have CPUs of their own. Here it shares two cores with
# PostgreSQL and three workers; run at a higher priority (when allowed) its log stamps requests
# when they arrive, not when our own workers leave it a core. The stalls it still has are printed.
site_nice=(); [ "$(id -u)" = 0 ] && site_nice=(nice -n -10)
"${site_nice[@]}" ./grantha sources serve --port "$port" ${faults:+--faults "$faults"} >"$work/site.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "__site" "$work/site.out" 2>/dev/null && break; sleep 0.2; done
hostmap=(--host-map "guru-guha.blogspot.com=http://127.0.0.1:$port" "thyagaraja-vaibhavam.blogspot.com=http://127.0.0.1:$((port+1))" "syamakrishnavaibhavam.blogspot.com=http://127.0.0.1:$((port+2))")

# A worker process maps hosts only onto the servers it is told it may (the batch row alone opens no loopback).
for i in 1 2 3; do
  ./grantha worker --db "$db" --offline-site-allow "http://127.0.0.1:$port" "http://127.0.0.1:$((port+1))" "http://127.0.0.1:$((port+2))" >"$work/worker$i.log" 2>&1 &
  pids+=($!); eval "worker$i=$!"
done
shared="$(cd "$here/.." && pwd)/shared/manifests"
start=$(date +%s.%N)
./grantha import "$shared/Dikshitar-Krithi-For-Import.csv" "$shared/Thyagaraja-Krithi-For-Import.csv" "$shared/Syama-Sastri-Krithi-For-Import.csv" \
  --db "$db" "${hostmap[@]}" --host-delay-ms "$delay_ms" --host-concurrency "$per_host" --workers 0 --wait --json >"$work/import.json" 2>"$work/import.err" &
import_pid=$!

wait_done() { psql_ "SELECT COUNT(*) FROM stage_task WHERE stage='FETCH' AND state='SUCCEEDED'" 2>/dev/null || echo 0; }
case "$mode" in
  kill)
    until [ "$(wait_done)" -ge 300 ]; do sleep 0.2; done
    victim=$worker2
    held=$(psql_ "SELECT COUNT(*) FROM stage_task WHERE state='RUNNING' AND lease_owner IN (SELECT id FROM worker WHERE pid=$victim)")
    kill -9 "$victim"; killed_at=$(date +%s.%N)
    echo "killed worker pid $victim at $(wait_done) fetched pages, holding $held running task(s)"
    ;;
  pg-restart)
    until [ "$(wait_done)" -ge 300 ]; do sleep 0.2; done
    echo "restarting PostgreSQL at $(wait_done) fetched pages"
    pg_throwaway_restart; echo "PostgreSQL back after restart"
    ;;
esac
wait "$import_pid" || { echo "import exited with $?"; cat "$work/import.err"; }
end=$(date +%s.%N)
echo "import summary: $(tail -1 "$work/import.json")"
echo "wall time: $(echo "$end - $start" | bc) s"
echo "fetch tasks by state: $(psql_ "SELECT string_agg(state||'='||n, ' ') FROM (SELECT state, COUNT(*) n FROM stage_task WHERE stage='FETCH' GROUP BY state ORDER BY state) s")"
echo "error codes of failed tasks: $(psql_ "SELECT COALESCE(string_agg(error_code||'='||n, ' '), 'none') FROM (SELECT error_code, COUNT(*) n FROM stage_task WHERE state='FAILED' GROUP BY error_code) s")"
echo "urls with more than one stored page (200): $(psql_ "SELECT COUNT(*) FROM (SELECT url FROM fetch_evidence WHERE status=200 GROUP BY url HAVING COUNT(*)>1) d")"
echo "tasks completed more than once (event log): $(psql_ "SELECT COUNT(*) FROM (SELECT task_id FROM event WHERE kind='task_succeeded' GROUP BY task_id HAVING COUNT(*)>1) d")"
echo "task_succeeded events: $(psql_ "SELECT COUNT(*) FROM event WHERE kind='task_succeeded' AND task_id IN (SELECT id FROM stage_task WHERE stage='FETCH')")"
echo "workers that completed fetch tasks: $(psql_ "SELECT string_agg(actor||'='||n, ' ') FROM (SELECT actor, COUNT(*) n FROM event WHERE kind='task_succeeded' GROUP BY actor ORDER BY actor) s")"
echo "retries scheduled: $(psql_ "SELECT COUNT(*) FROM event WHERE kind='task_retry_scheduled'")   rescued: $(psql_ "SELECT COUNT(*) FROM event WHERE kind='task_rescued'")"
if [ "$mode" = kill ]; then
  psql_ "SELECT 'rescue after kill: ' || COUNT(*) || ' task(s); first ' || ROUND((MIN(at)/1000.0 - $killed_at)::numeric, 1) || ' s, last ' || ROUND((MAX(at)/1000.0 - $killed_at)::numeric, 1) || ' s after the kill' FROM event WHERE kind='task_rescued'"
  psql_ "SELECT 'lease expiry to rescue (max): ' || COALESCE(ROUND(MAX((e.at - (e.data::json->>'leaseExpiredAt')::bigint)/1000.0)::numeric, 1)::text, 'n/a') || ' s' FROM event e WHERE kind='task_rescued' AND e.data::json->>'leaseExpiredAt' IS NOT NULL" || true
fi
curl -s "http://127.0.0.1:$port/__site/log" >"$work/site-log.json"
echo "site per host (from its request log, $work/site-log.json):"
curl -s "http://127.0.0.1:$port/__site/stats" >"$work/site-stats.json"
python3 - "$work/site-stats.json" "$work/site-log.json" "$delay_ms" <<'PY'
import json, sys
from datetime import datetime
stats, log, delay = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), float(sys.argv[3])
t = lambda s: datetime.fromisoformat(s).timestamp() * 1000
for h in stats["hosts"]:
    print("  %-36s requests=%-5d max_in_flight=%s min_gap_ms=%s statuses=%s faults=%s" % (h["host"], h["requests"], h["max_in_flight"], h["min_gap_ms"], h["statuses"], h["faults"]))
stalls = [(t(s["from"]), s["ms"]) for s in stats.get("stalls") or []]
print("site process: gc pause %.1f ms in total, collections gen0/1/2 %s; stalls of 20 ms or more: %d, longest %.1f ms"
      % (stats.get("gc_pause_ms", 0), stats.get("gc_collections"), len(stalls), max([m for _, m in stalls] or [0])))
by = {}
for r in log: by.setdefault(r["host"], []).append(t(r["started"]))
gaps = short = in_stall = 0
for host, starts in by.items():
    starts.sort()
    for a, b in zip(starts, starts[1:]):
        gaps += 1
        if b - a >= delay: continue
        short += 1
        # Stamped within a stall's end (+5 ms): the site could not stamp the request when it arrived.
        stalled = [m for f, m in stalls if f <= b <= f + m + 5]
        in_stall += bool(stalled)
        print("  gap below %g ms: %s %.1f ms at %s%s" % (delay, host, b - a, datetime.fromtimestamp(b / 1000).time(),
              " (the site stalled %.0f ms just then)" % stalled[0] if stalled else ""))
print("gaps between request starts below the delay: %d of %d (%d stamped at the end of a site stall)" % (short, gaps, in_stall))
PY
