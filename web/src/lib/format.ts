// One formatter each, made once: toLocaleString('en') on a number builds a new format on every call, which cost
// about 100 ms of a cold batch screen's first render (a CPU profile in chromium; bench/ DashboardBench).
const numbers = new Intl.NumberFormat('en');
const times = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

/** A count as curators read it: 12,345. */
export const formatNumber = (n: number) => numbers.format(n);

/** A moment as the dashboard shows it: 5 Dec 2026, 14:03:07. */
export const formatTime = (d: Date) => times.format(d);
