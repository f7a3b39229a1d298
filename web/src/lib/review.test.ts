import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileNameOf } from './download';
import { alignSections, compareFields, inertSrcdoc, krithiExportUrl, rereadUntil, stagedExportUrl, type Comparable } from './review';

const s = (position: number, type: string, text: string, number: number | null = null) => ({ position, type, number, text });

describe('sections aligned across scripts', () => {
  it('one row per section in order, one column per script, null where a script lacks it or has only blanks', () => {
    const { scripts, rows } = alignSections([
      { script: 'latin', sections: [s(1, 'pallavi', 'a'), s(2, 'anupallavi', 'b'), s(3, 'charanam', 'c'), s(4, 'charanam', 'd')] },
      { script: 'tamil', sections: [s(1, 'pallavi', 'அ'), s(3, 'charanam', '  '), s(4, 'charanam', 'ட'), s(5, 'madhyama_kala', 'e')] },
    ]);
    expect(scripts).toEqual(['latin', 'tamil']);
    expect(rows.map((r) => r.label)).toEqual(['pallavi', 'anupallavi', 'charanam 1', 'charanam 2', 'madhyama kala']);
    expect(rows.map((r) => r.cells)).toEqual([['a', 'அ'], ['b', null], ['c', null], ['d', 'ட'], [null, 'e']]);
  });

  it('keeps the number the page wrote', () => {
    expect(alignSections([{ script: 'latin', sections: [s(1, 'charanam', 'x', 3)] }]).rows[0].label).toBe('charanam 3');
  });
});

describe('field by field', () => {
  const base: Comparable = { title: 'Sri Sumadyute', ragas: ['a', 'b'], tala: 'adi', composer: 'c', deity: null, kshetra: null, scripts: ['latin', 'tamil'], sections: 3 };
  it('marks exactly the fields that differ; lists compare as sets, titles without case or spacing', () => {
    const diff = compareFields(base, { ...base, title: 'sri  sumadyute', ragas: ['b', 'a'], scripts: ['tamil'], tala: 'rupaka', sections: 4 }, (id) => (id === 'adi' ? 'Adi' : id));
    expect(diff.filter((f) => !f.same).map((f) => f.field)).toEqual(['tala', 'scripts', 'sections']);
    expect(diff.find((f) => f.field === 'tala')).toMatchObject({ ours: 'Adi', theirs: 'rupaka' });
    expect(diff.find((f) => f.field === 'deity')).toMatchObject({ ours: '—', theirs: '—', same: true });
  });
});

describe('export addresses', () => {
  it('the queue: its whole filter; none without a batch', () => {
    expect(stagedExportUrl({ batch: ' 4 ', state: 'ready', flag: 'warnings', text: 'x', minQuality: '0.5' }, 'csv')).toBe('/v1/admin/export?what=staged&batch=4&state=ready&flag=warnings&text=x&minQuality=0.5&format=csv');
    expect(stagedExportUrl({ state: 'ready' }, 'csv')).toBe('/v1/admin/export?what=staged&state=ready&format=csv');
  });
  it('the catalog: every filter it has', () => {
    expect(krithiExportUrl({ text: 'rama', composer: 'tyagaraja', deity: 'rama' }, 'jsonl')).toBe('/v1/admin/export?what=krithis&text=rama&composer=tyagaraja&deity=rama&format=jsonl');
  });
  it('the download name comes from Content-Disposition, never with a folder', () => {
    expect(fileNameOf('attachment; filename="batch-1-staged.csv"')).toBe('batch-1-staged.csv');
    expect(fileNameOf("attachment; filename=x.csv; filename*=UTF-8''kr%C3%A9ti.csv")).toBe('kréti.csv');
    expect(fileNameOf('attachment; filename="../../etc/passwd"')).toBe('.._.._etc_passwd');
    expect(fileNameOf(null)).toBeNull();
  });
});

describe('the stored page', () => {
  it('gets a policy that loads nothing, before anything of the page', () => {
    const doc = inertSrcdoc('<html><head><base href="http://site.example/"></head></html>');
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(doc.indexOf('<html>'));
    expect(doc).toContain("default-src 'none'");
    expect(doc).toContain("base-uri 'none'");
  });
});

describe('bounded re-reads', () => {
  afterEach(() => vi.useRealTimers());
  it('stops when done, and after the last delay at the latest', async () => {
    vi.useFakeTimers();
    const read = vi.fn(async () => read.mock.calls.length);
    const early = rereadUntil(read, (n) => n >= 2, [10, 20, 40, 80]);
    await vi.runAllTimersAsync();
    expect(await early).toBe(2);
    expect(read).toHaveBeenCalledTimes(2);

    const never = vi.fn(async () => 0);
    const bounded = rereadUntil(never, () => false, [10, 20, 40]);
    await vi.runAllTimersAsync();
    expect(await bounded).toBe(0);
    expect(never).toHaveBeenCalledTimes(3);
  });
});
