// Export buttons beside a filtered list: the same filter, as CSV or JSON Lines, downloaded with the key.
import { useState } from 'react';
import { download } from '../../lib/download';
import { actionProblem, type ExportFormat } from '../../lib/review';
import { useSession } from '../../lib/session';

const formats: { format: ExportFormat; label: string }[] = [
  { format: 'csv', label: 'CSV' },
  { format: 'jsonl', label: 'JSON Lines' },
];

/** `urlFor` gives the export of the list as filtered, or null when the filter cannot be exported (`why` says what to do). */
export function ExportButtons({ what, urlFor, fileName, why, note }: { what: string; urlFor: (f: ExportFormat) => string | null; fileName: string; why?: string; note?: string }) {
  const { key } = useSession();
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  async function run(format: ExportFormat) {
    const url = urlFor(format);
    if (!url) return;
    setBusy(true);
    setSaid(null);
    try {
      const name = await download(key, url, `${fileName}.${format}`);
      setSaid({ ok: true, text: `Downloaded ${name}.` });
    } catch (e) {
      setSaid({ ok: false, text: actionProblem(e) });
    } finally {
      setBusy(false);
    }
  }
  const disabled = urlFor('csv') === null;
  return (
    <div className="controls export" role="group" aria-label={`Export ${what}`}>
      <span>Export {what}:</span>
      {formats.map((f) => (
        <button key={f.format} type="button" disabled={disabled || busy} onClick={() => run(f.format)}>
          {f.label}
        </button>
      ))}
      {disabled && why && <span className="muted">{why}</span>}
      {!disabled && note && <span className="muted">{note}</span>}
      {said && (
        <span role={said.ok ? 'status' : 'alert'} className={said.ok ? 'result' : 'error'}>
          {said.text}
        </span>
      )}
    </div>
  );
}
