import type { ProbeReport, ProbeRow } from './probe';

const COLUMNS: Array<[string, (r: ProbeRow) => string]> = [
  ['action', (r) => [r.action, ...Object.entries(r.params).map(([k, v]) => `${k}=${v}`)].join(' ')],
  ['http', (r) => (r.status === undefined ? '-' : String(r.status))],
  ['type', (r) => (r.contentType ?? '-').split(';')[0]],
  ['bytes', (r) => (r.bytes === undefined ? '-' : String(r.bytes))],
  ['lines', (r) => (r.lines === undefined ? '-' : String(r.lines))],
  ['eol', (r) => r.lineEndings ?? '-'],
  ['shape', (r) => r.shape],
  ['items', (r) => (r.items === undefined ? '-' : String(r.items))],
  ['first line / error', (r) => r.error ?? (r.firstLine === undefined ? '' : JSON.stringify(r.firstLine))],
];

/** Control characters would garble a terminal: shown escaped. */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const printable = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** The report as a table a person can read, then one verdict line per assumption. */
export function formatReport(report: ProbeReport): string {
  const rows = report.rows.map((r) => COLUMNS.map(([, cell]) => printable(cell(r))));
  const widths = COLUMNS.map(([title], i) =>
    Math.min(i === COLUMNS.length - 1 ? 80 : 48, Math.max(title.length, ...rows.map((r) => r[i].length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c.length > widths[i] ? `${c.slice(0, widths[i] - 1)}…` : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  out.push(`login: ${report.login.ok ? 'ok' : `FAILED${report.login.error ? ` (${report.login.error})` : ''}`}`);
  if (rows.length > 0) {
    out.push('', line(COLUMNS.map(([title]) => title)), line(widths.map((w) => '-'.repeat(w))));
    for (const r of rows) out.push(line(r));
  }
  if (report.verdicts.length > 0) {
    out.push('', 'docs/protocol.md assumptions:');
    const w = Math.max(...report.verdicts.map((v) => v.verdict.length));
    for (const v of report.verdicts) out.push(`  ${v.verdict.toUpperCase().padEnd(w)}  ${v.assumption}: ${printable(v.detail)}`);
  }
  out.push('', report.ok ? 'result: every read answered' : `result: ${report.reason ?? 'failed'}`);
  return `${out.join('\n')}\n`;
}

/** The same as JSON (without the capture itself, which --save writes). */
export function reportJson(report: ProbeReport): string {
  const { capture, ...rest } = report;
  return `${JSON.stringify({ ...rest, packageVersion: capture.packageVersion, capturedAt: capture.capturedAt, url: capture.url }, null, 2)}\n`;
}
