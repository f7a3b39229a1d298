import { formatNumber } from '../../lib/format';
// Blocked RESOLVE tasks wait on a curator, not on a retry: the batch's unresolved names with their candidates, and a
// one-click choice (POST .../resolution/choose) that stores the name as an alias and re-queues the tasks waiting on it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ProblemText } from '../../components';
import { batchApi, type ChoiceResult, type ReviewName } from '../../lib/batch';
import { useSession } from '../../lib/session';

export function BlockedNames({ batchId, blocked }: { batchId: number; blocked: number }) {
  const { key, can } = useSession();
  const qc = useQueryClient();
  const summary = useQuery({ queryKey: ['resolution', batchId], queryFn: () => batchApi.resolution(key, batchId) });
  const [said, setSaid] = useState<string | null>(null);
  const choose = useMutation({
    mutationFn: (c: { kind: string; name: string; entityId: string }) => batchApi.choose(key, batchId, c),
    onSuccess: (r: ChoiceResult) => {
      setSaid(
        `“${r.name}” is now ${r.kind} ${r.entityName} (${r.entityId}): ${formatNumber(r.tasksRequeued)} blocked task${r.tasksRequeued === 1 ? '' : 's'} went back to the queue.` +
          (r.workers && r.workers.length === 0 ? ' No worker runs RESOLVE now: they wait for ./grantha work or serve.' : ''),
      );
      // The curator sees the tasks move: the groups, counts and the names still open are read again.
      for (const k of ['errors', 'batch', 'tasks', 'resolution']) qc.invalidateQueries({ queryKey: [k, batchId] });
    },
  });
  const names: ReviewName[] = summary.data?.review ?? [];
  return (
    <div className="blockednames" aria-labelledby="blocked-names-title" role="region">
      <h3 id="blocked-names-title">Names waiting for a curator ({formatNumber(blocked)} blocked task{blocked === 1 ? '' : 's'})</h3>
      <p className="muted">
        Retrying these tasks would block them again: they wait until each name is chosen. Choosing stores the name as an alias of the catalog entry
        (later batches resolve it by themselves) and sends the tasks waiting on it back to the queue.
      </p>
      <ProblemText error={summary.error ?? choose.error} />
      <p role="status" className="result">
        {said}
      </p>
      {summary.isPending ? (
        <p>Loading names…</p>
      ) : names.length === 0 ? (
        <p className="muted">No name of this batch waits for a choice now.</p>
      ) : (
        <ul className="names">
          {names.map((n) => (
            <li key={`${n.kind}/${n.key}`}>
              <p>
                <strong>{n.kind}</strong> “{n.name}” · {formatNumber(n.pages)} page{n.pages === 1 ? '' : 's'}, {formatNumber(n.rows)} row
                {n.rows === 1 ? '' : 's'}
              </p>
              {n.candidates.length === 0 ? (
                <p className="muted">No candidate in the catalog: add the entry or an alias (./grantha catalog), and the tasks re-queue by themselves.</p>
              ) : (
                <ul className="candidates">
                  {n.candidates.map((c) => (
                    <li key={c.id}>
                      <span>
                        {c.name} <code>{c.id}</code> <span className="muted">score {c.score.toFixed(2)}</span>
                      </span>
                      {can('curator') && n.key !== '' && (
                        <button
                          type="button"
                          disabled={choose.isPending}
                          aria-label={`Choose ${c.name} for ${n.kind} “${n.name}”`}
                          onClick={() => {
                            setSaid(null);
                            choose.mutate({ kind: n.kind, name: n.name, entityId: c.id });
                          }}
                        >
                          Choose
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
