// Error groups (GET .../batches/{id}/errors): one row per stage, state, code and host; summed here by code.
import type { ErrorGroup } from './api';

export interface CodeGroup {
  stage: string;
  code: string;
  count: number;
  /** The hosts the code was seen on, largest first (a null host: tasks without one, e.g. manifest files). */
  hosts: { host: string | null; state: string; count: number }[];
}

/** By stage and code, largest first; each with its hosts (the drill-down). */
export function groupByCode(groups: ErrorGroup[]): CodeGroup[] {
  const byKey = new Map<string, CodeGroup>();
  for (const g of groups) {
    const key = `${g.stage}\u0000${g.code}`;
    let cg = byKey.get(key);
    if (!cg) byKey.set(key, (cg = { stage: g.stage, code: g.code, count: 0, hosts: [] }));
    cg.count += g.count;
    cg.hosts.push({ host: g.host, state: g.state, count: g.count });
  }
  const all = [...byKey.values()];
  for (const cg of all) cg.hosts.sort((a, b) => b.count - a.count || String(a.host).localeCompare(String(b.host)));
  return all.sort((a, b) => b.count - a.count || a.stage.localeCompare(b.stage) || a.code.localeCompare(b.code));
}

/** The code of a RESOLVE task blocked on a name only a curator can settle (ResolveHandler.NeedsReviewCode). */
export const needsReviewCode = 'needs_review';

/**
 * Whether a task in this group waits on a curator's choice, not on a retry: a blocked RESOLVE task whose name needs
 * review blocks again on retry with the same names; choosing the names (or curating the catalog) re-queues it by itself.
 */
export function needsChoice(g: { stage: string; code: string; state?: string }): boolean {
  return g.stage === 'RESOLVE' && g.code === needsReviewCode && (g.state === undefined || g.state === 'BLOCKED');
}

/**
 * Tasks a retry by this filter would take and could help: failed and blocked ones (retry-waiting tasks run again by
 * themselves), without those that wait on a curator's choice (see needsChoice).
 */
export function retryable(groups: ErrorGroup[], filter: { stage?: string; code?: string; host?: string | null }): number {
  return groups
    .filter((g) => (g.state === 'FAILED' || g.state === 'BLOCKED') && !needsChoice(g))
    .filter((g) => (filter.stage === undefined || g.stage === filter.stage) && (filter.code === undefined || g.code === filter.code))
    .filter((g) => filter.host === undefined || g.host === filter.host)
    .reduce((a, g) => a + g.count, 0);
}
