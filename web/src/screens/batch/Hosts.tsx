import { formatNumber } from '../../lib/format';
// The batch's fetch hosts with their politeness now: delay, requests in flight, a Retry-After block, and the
// batch's FETCH tasks on each by state. Read once, then again on the batch's fetch events (BatchScreen, throttled).
import { useQuery } from '@tanstack/react-query';
import { ProblemText, Time } from '../../components';
import { batchApi, formatMs, relativeText, type HostTaskCounts } from '../../lib/batch';
import { useSession } from '../../lib/session';

const countLabels: [keyof HostTaskCounts, string][] = [
  ['pending', 'pending'],
  ['running', 'running'],
  ['retrying', 'retrying'],
  ['succeeded', 'succeeded'],
  ['failed', 'failed'],
  ['blocked', 'blocked'],
  ['cancelled', 'cancelled'],
];

export function hostsQueryKey(batchId: number) {
  return ['hosts', batchId] as const;
}

export function Hosts({ batchId }: { batchId: number }) {
  const { key } = useSession();
  const hosts = useQuery({ queryKey: hostsQueryKey(batchId), queryFn: () => batchApi.hosts(key, batchId) });
  const data = hosts.data;
  if (data && data.hosts.length === 0) return null;
  return (
    <section aria-labelledby="hosts-title">
      <h2 id="hosts-title">Hosts</h2>
      <p className="muted">
        Fetch politeness per host, as the manifests name them: the delay kept between two requests now (raised after errors, never below robots.txt's
        Crawl-delay), requests in flight, and a Retry-After block. Read again as fetches finish.
      </p>
      <ProblemText error={hosts.error} />
      {hosts.isPending ? (
        <p>Loading hosts…</p>
      ) : data ? (
        <div className="tablewrap">
          <table className="hosts" aria-labelledby="hosts-title">
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Delay now</th>
                <th scope="col" className="num">
                  In flight
                </th>
                <th scope="col">Blocked until</th>
                <th scope="col">Next start</th>
                <th scope="col">Last request</th>
                <th scope="col">Fetch tasks</th>
              </tr>
            </thead>
            <tbody>
              {data.hosts.map((h) => (
                <tr key={h.host}>
                  <th scope="row" data-label="Host">
                    {h.host}
                  </th>
                  <td data-label="Delay now">
                    {formatMs(h.delayNowMs)}
                    {h.crawlDelayMs ? <span className="muted"> (Crawl-delay {formatMs(h.crawlDelayMs)})</span> : null}
                  </td>
                  <td data-label="In flight" className="num">
                    {formatNumber(h.inFlight)}
                  </td>
                  <td data-label="Blocked until">
                    {h.blockedUntil ? (
                      <span className="blocked">
                        <Time ms={h.blockedUntil} /> ({relativeText(h.blockedUntil, data.now)}, Retry-After)
                      </span>
                    ) : (
                      'not blocked'
                    )}
                  </td>
                  <td data-label="Next start">{h.nextStartAt && h.nextStartAt > data.now ? <Time ms={h.nextStartAt} /> : 'now'}</td>
                  <td data-label="Last request">{h.lastRequestAt ? <Time ms={h.lastRequestAt} /> : '—'}</td>
                  <td data-label="Fetch tasks">
                    {countLabels
                      .filter(([k]) => h.tasks[k] > 0)
                      .map(([k, label]) => `${formatNumber(h.tasks[k])} ${label}`)
                      .join(' · ') || 'none'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
