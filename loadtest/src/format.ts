import type { LatencySummary } from './histogram.js';

export const fmtMs = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v)
    ? 'n/a'
    : v < 10
      ? `${v.toFixed(2)} ms`
      : `${v.toFixed(1)} ms`;

export const fmtBytes = (v: number | null | undefined) => {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const abs = Math.abs(v);
  if (abs >= 1024 ** 3) return `${(v / 1024 ** 3).toFixed(2)} GiB`;
  if (abs >= 1024 ** 2) return `${(v / 1024 ** 2).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(v / 1024).toFixed(1)} KiB`;
  return `${Math.round(v)} B`;
};

export const fmtPct = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(0)} %`;

export const fmtNum = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined || !Number.isFinite(v)
    ? 'n/a'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function latencyRow(name: string, s: LatencySummary): string[] {
  return [name, fmtNum(s.count), fmtMs(s.p50), fmtMs(s.p95), fmtMs(s.p99), fmtMs(s.max)];
}

/** Columns padded to their widest cell. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
