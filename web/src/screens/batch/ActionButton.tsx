// A button that asks first (what will happen) and then says what did, for actions that are not the batch-wide
// controls of lib/confirm.ts: a selection's retry or requeue.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog, ProblemText } from '../../components';
import type { ControlResult } from '../../lib/api';

export function ActionButton(props: {
  batchId: number;
  label: string;
  title: string;
  body: string;
  confirm: string;
  /** Said instead of asking: the action cannot be sent as it is (e.g. over the API's cap). */
  refusal?: string | null;
  run: () => Promise<ControlResult>;
  result: (r: ControlResult) => string;
  /** After success, with what was said (the button may go away with what it acted on: the caller shows it then). */
  onDone?: (said: string) => void;
}) {
  const qc = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [said, setSaid] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: props.run,
    onSuccess: (r) => {
      const text = props.result(r);
      setSaid(text);
      setAsking(false);
      for (const k of ['batch', 'errors', 'tasks', 'hosts']) qc.invalidateQueries({ queryKey: [k, props.batchId] });
      qc.invalidateQueries({ queryKey: ['batches'] });
      props.onDone?.(text);
    },
  });
  return (
    <>
      <button
        type="button"
        onClick={() => {
          run.reset();
          if (props.refusal) {
            setSaid(props.refusal);
            return;
          }
          setSaid(null);
          setAsking(true);
        }}
      >
        {props.label}
      </button>
      <span role="status" className="result">
        {said}
      </span>
      {asking && (
        <ConfirmDialog title={props.title} confirm={props.confirm} busy={run.isPending} onConfirm={() => run.mutate()} onClose={() => setAsking(false)}>
          <p>{props.body}</p>
          <ProblemText error={run.error} />
        </ConfirmDialog>
      )}
    </>
  );
}
