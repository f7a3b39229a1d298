import { formatNumber } from '../lib/format';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ProblemText, Time } from '../components';
import { api } from '../lib/api';
import { krithiExportUrl, type KrithiFilter } from '../lib/review';
import { useSession } from '../lib/session';
import { ExportButtons } from './review/ExportButtons';

type Filter = KrithiFilter;

/** The krithi catalog: search by title, raga, composer or deity (ids); a krithi's lyrics in each script, its sources and revisions; export as filtered. */
export function CatalogScreen() {
  const { key } = useSession();
  const [filter, setFilter] = useState<Filter>({});
  const [draft, setDraft] = useState<Filter>({});
  const [open, setOpen] = useState<number | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['krithis', filter],
    queryFn: ({ pageParam }) => api.krithis(key, filter, pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  function submit(e: FormEvent) {
    e.preventDefault();
    setFilter(Object.fromEntries(Object.entries(draft).filter(([, v]) => v?.trim())));
  }
  return (
    <section aria-labelledby="catalog-title" className="catalog">
      <h1 id="catalog-title">Catalog</h1>
      <form className="filters" onSubmit={submit} aria-label="Catalog search">
        <label>
          Title contains
          <input value={draft.text ?? ''} onChange={(e) => setDraft({ ...draft, text: e.target.value })} />
        </label>
        <label>
          Raga (id)
          <input value={draft.raga ?? ''} onChange={(e) => setDraft({ ...draft, raga: e.target.value })} />
        </label>
        <label>
          Composer (id)
          <input value={draft.composer ?? ''} onChange={(e) => setDraft({ ...draft, composer: e.target.value })} />
        </label>
        <label>
          Deity (id)
          <input value={draft.deity ?? ''} onChange={(e) => setDraft({ ...draft, deity: e.target.value })} />
        </label>
        <button type="submit">Search</button>
      </form>
      <ExportButtons what="these krithis" fileName="krithis" urlFor={(f) => krithiExportUrl(filter, f)} />
      <ProblemText error={list.error} />
      <p className="muted" aria-live="polite">
        {list.isPending ? 'Loading…' : `${formatNumber((list.data?.pages[0]?.count ?? 0))} krithis`}
      </p>
      <div className="split">
        <ul className="krithis" aria-label="Krithis">
          {items.map((k) => (
            <li key={k.id}>
              <button type="button" className="link" aria-pressed={open === k.id} onClick={() => setOpen(k.id)}>
                {k.displayTitle ?? k.title}
              </button>{' '}
              <span className="muted">
                {[k.ragas.map((r) => r.name ?? r.id).join(', '), k.composer?.name].filter(Boolean).join(' · ')}
                {k.status !== 'active' ? ` (${k.status})` : ''}
              </span>
            </li>
          ))}
        </ul>
        {open !== null && <KrithiPanel id={open} />}
      </div>
      {list.hasNextPage && (
        <button type="button" onClick={() => list.fetchNextPage()}>
          More
        </button>
      )}
    </section>
  );
}

function KrithiPanel({ id }: { id: number }) {
  const { key } = useSession();
  const k = useQuery({ queryKey: ['krithi', id], queryFn: () => api.krithi(key, id) });
  const [script, setScript] = useState<string | null>(null);
  if (k.isPending) return <p>Loading…</p>;
  if (k.error) return <ProblemText error={k.error} />;
  const d = k.data;
  const lyric = d.lyrics.find((l) => l.script === script) ?? d.lyrics[0];
  return (
    <article className="krithi" aria-labelledby="krithi-title">
      <h2 id="krithi-title">{d.displayTitle ?? d.title}</h2>
      <p className="muted">
        {[d.ragas.map((r) => r.name ?? r.id).join(', '), d.tala?.name, d.composer?.name, d.deity?.name, d.kshetra?.name].filter(Boolean).join(' · ')} · version {d.version}
      </p>
      {d.lyrics.length > 0 && (
        <>
          <div role="tablist" aria-label="Script" className="controls">
            {d.lyrics.map((l) => (
              <button key={l.script} type="button" role="tab" aria-selected={l === lyric} onClick={() => setScript(l.script)}>
                {l.script}
              </button>
            ))}
          </div>
          <div role="tabpanel" aria-label={`Lyrics in ${lyric.script}`}>
            {lyric.sections.map((s) => (
              <div key={s.position} className="section">
                <h3>
                  {s.type}
                  {s.number ? ` ${s.number}` : ''}
                </h3>
                <p className="lyric">{s.text}</p>
              </div>
            ))}
          </div>
        </>
      )}
      {d.meaning && (
        <>
          <h3>Meaning</h3>
          <p>{d.meaning}</p>
        </>
      )}
      <h3>Sources</h3>
      <ul>
        {d.sources.map((s) => (
          <li key={s.url} className="wrap">
            {s.url} <span className="muted">approved by {s.approvedBy}, <Time ms={s.approvedAt} /></span>
          </li>
        ))}
      </ul>
      <h3>Revisions</h3>
      <ol className="events">
        {d.revisions.map((r) => (
          <li key={r.version}>
            v{r.version} <Time ms={r.at} /> <span className="muted">{r.actor}</span> — {r.reason}
          </li>
        ))}
      </ol>
    </article>
  );
}
