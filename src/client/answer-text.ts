// Text helpers of the answer parsers (parsers.ts, answer.ts). Not in parsers.ts: the package
// exports all of that module (index.ts), and these are no part of its API.

/** Non-empty, trimmed lines. */
export function lines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r\n|\n|\r/)) {
    const trimmed = line.trim();
    if (trimmed !== '') out.push(trimmed);
  }
  return out;
}

/** The answer (or a line of it) on one line and cut short, for an error message. */
export function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine === '' ? 'an empty answer' : `"${oneLine.length > 60 ? oneLine.slice(0, 60) + '…' : oneLine}"`;
}
