import { describe, expect, it, vi } from 'vitest';
import { createThrottle, csvCell, relativeText, taskExportUrl } from './batch';

describe('batch helpers', () => {
  it('a throttle runs at once, then at most once per window, folding the calls inside it into one at its end', () => {
    vi.useFakeTimers();
    try {
      let t = 0;
      const fn = vi.fn();
      const th = createThrottle(fn, 1_000, () => t);
      th.call();
      expect(fn).toHaveBeenCalledTimes(1);
      t = 200;
      th.call();
      t = 500;
      th.call();
      expect(fn).toHaveBeenCalledTimes(1);
      t = 1_000;
      vi.advanceTimersByTime(800);
      expect(fn).toHaveBeenCalledTimes(2);
      t = 2_500;
      th.call();
      expect(fn).toHaveBeenCalledTimes(3);
      th.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('relative times do not count down: rounded words from the server’s clock', () => {
    expect(relativeText(1_000 + 40_000, 1_000)).toBe('in about 40 seconds');
    expect(relativeText(3 * 60_000 + 20_000, 0)).toBe('in about 3 minutes');
    expect(relativeText(0, 2 * 3_600_000)).toBe('about 2 hours ago');
  });

  it('the export URL carries every filter and the format; cells a spreadsheet would run are prefixed', () => {
    expect(taskExportUrl(4, { stage: 'FETCH', code: 'http_404', q: 'a b' }, 'jsonl')).toBe('/v1/admin/bulk-import/batches/4/tasks/export?format=jsonl&stage=FETCH&code=http_404&q=a+b');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
  });
});
