import { describe, expect, it } from 'vitest';
import { formatNumber, formatTime } from './format';

describe('format', () => {
  it('writes counts with thousands separators, as curators read them', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(1_240)).toBe('1,240');
    expect(formatNumber(100_000)).toBe('100,000');
  });

  it('writes a moment as day, month, year and time, the same as the per-call formatting it replaces', () => {
    const d = new Date(Date.UTC(2026, 11, 5, 14, 3, 7));
    expect(formatTime(d)).toBe(d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }));
    expect(formatTime(d)).toMatch(/2026/);
  });
});
