import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ProblemText } from '../../components';
import { batchApi } from '../../lib/batch';
import { download } from '../../lib/download';
import { inertSrcdoc } from '../../lib/review';
import { useSession } from '../../lib/session';

/**
 * A task's stored page in its drawer: shown on request as a reading view in a sandboxed frame (no script runs, nothing
 * is loaded from the source host), or downloaded as the bytes the source sent (the evidence).
 */
export function TaskPage({ taskId }: { taskId: number }) {
  const { key } = useSession();
  const [shown, setShown] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  const page = useQuery({ queryKey: ['task-page', taskId], queryFn: () => batchApi.taskPage(key, taskId), enabled: shown, staleTime: 300_000, retry: false });
  async function save() {
    setSaid(null);
    try {
      setSaid(`Downloaded ${await download(key, batchApi.taskPageUrl(taskId), `task-${taskId}-page.html`)}.`);
    } catch (e) {
      setSaid(e instanceof Error ? e.message : 'The stored page could not be downloaded.');
    }
  }
  return (
    <section aria-labelledby={`task-page-${taskId}`}>
      <h3 id={`task-page-${taskId}`}>Stored page</h3>
      <div className="controls">
        <button type="button" aria-expanded={shown} onClick={() => setShown(!shown)}>
          {shown ? 'Hide the stored page' : 'Show the stored page'}
        </button>
        <button type="button" onClick={save}>
          Download as fetched
        </button>
        {said && (
          <span role="status" className="muted">
            {said}
          </span>
        )}
      </div>
      {shown && page.isPending && <p>Loading…</p>}
      {shown && <ProblemText error={page.error} />}
      {shown && page.data !== undefined && (
        <iframe className="sourcepage" sandbox="" referrerPolicy="no-referrer" srcDoc={inertSrcdoc(page.data)} title={`Stored page of task #${taskId} (inert)`} />
      )}
    </section>
  );
}
