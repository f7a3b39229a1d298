import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ProblemText } from '../components';
import { api, type BatchView } from '../lib/api';
import { useSession } from '../lib/session';
import { bucketSeconds, describe, toSeries, type Series } from '../lib/throughput';

const palette = ['#0b5cad', '#1b7a3a', '#b42318', '#9a5b00', '#5b3e8f', '#0e7490', '#6b7280'];

/** Finished tasks per minute over the batch's life, by stage or by fetch host (uPlot, loaded when first shown). */
export function Throughput({ batch, version }: { batch: BatchView; version: number }) {
  const { key } = useSession();
  const [by, setBy] = useState<'stage' | 'host'>('stage');
  const bucket = bucketSeconds((batch.settledAt ?? Date.now()) - batch.createdAt);
  const data = useQuery({
    // Read again on the page's throttled ticks, and when the batch's status changes (it completed: the last points).
    queryKey: ['throughput', batch.id, by, bucket, version, batch.status],
    queryFn: () => api.throughput(key, batch.id, by, bucket),
    placeholderData: (previous) => previous,
  });
  const series = useMemo(() => toSeries(data.data ?? [], bucket), [data.data, bucket]);
  return (
    <section aria-labelledby="throughput-title">
      <div className="titlebar">
        <h2 id="throughput-title">Throughput</h2>
        <div role="group" aria-label="Throughput by" className="controls">
          <button type="button" aria-pressed={by === 'stage'} onClick={() => setBy('stage')}>
            By stage
          </button>
          <button type="button" aria-pressed={by === 'host'} onClick={() => setBy('host')}>
            By host (fetch)
          </button>
        </div>
        <span className="muted">tasks finished per minute, {bucket} s buckets</span>
      </div>
      <ProblemText error={data.error} />
      <Chart series={series} bucket={bucket} />
      <p className="muted">{describe(series)}</p>
    </section>
  );
}

function Chart({ series, bucket }: { series: Series; bucket: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    // jsdom (tests) has no canvas: the text alternative below the chart says the same.
    if (!el || series.xs.length === 0 || !document.createElement('canvas').getContext?.('2d')) return;
    let plot: { destroy(): void; setSize(s: { width: number; height: number }): void } | null = null;
    let gone = false;
    const observer = new ResizeObserver(() => plot?.setSize({ width: el.clientWidth, height: 220 }));
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([{ default: UPlot }]) => {
      if (gone) return;
      plot = new UPlot(
        {
          width: el.clientWidth,
          height: 220,
          // One bucket alone would give the axis a range of years: pad it by a bucket each side.
          scales: { x: { time: true, range: (_u, min, max) => (min === max ? [min - bucket, max + bucket] : [min, max]) } },
          axes: [{}, { label: 'per minute' }],
          series: [{}, ...series.lines.map((l, i) => ({ label: l.key, stroke: palette[i % palette.length], width: 2 }))],
        },
        [series.xs, ...series.lines.map((l) => l.perMinute)],
        el,
      );
      observer.observe(el);
    });
    return () => {
      gone = true;
      observer.disconnect();
      plot?.destroy();
    };
  }, [series, bucket]);
  return <div ref={box} className="chart" role="img" aria-label={`Throughput chart. ${describe(series)}`} />;
}
