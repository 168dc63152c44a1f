import type { OpenAnswer } from './transport';

/**
 * The start of an endless answer (vmx_cam_get_stream), read to tell a stream from the PBX's text
 * (a `0`, a PHP warning) before the body is handed to the frame reader.
 */

/**
 * The first bytes of a body whose content type does not say what it is: 64 bytes, or all of a
 * short text, or what came within waitMs (a body that stays silent is then the reader's problem).
 * Nothing for a body declared as a picture or a stream.
 */
export function streamHead(open: OpenAnswer, waitMs: number): Promise<Buffer> {
  if (/^\s*(image|multipart|video)\//i.test(open.contentType)) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => done(), waitMs);
    const done = () => {
      clearTimeout(timer);
      open.body.removeListener('data', onData);
      open.body.removeListener('end', done);
      open.body.removeListener('error', done);
      open.body.pause();
      resolve(Buffer.concat(parts, size));
    };
    const onData = (c: Buffer) => {
      parts.push(c);
      size += c.length;
      if (size >= 64) done();
    };
    open.body.on('data', onData);
    open.body.once('end', done);
    open.body.once('error', done);
  });
}

/**
 * A text answer (a `0`, a PHP warning) rather than the start of a stream: a body that does not start
 * like a JPEG or a multipart part, and is short or declared as text.
 */
export function isPbxText(head: Buffer, contentType: string): boolean {
  if (head.length === 0) return false;
  if (head[0] === 0xff && head[1] === 0xd8) return false;
  if (head.toString('latin1').trimStart().startsWith('--')) return false;
  return head.length < 64 || /^\s*text\//i.test(contentType);
}
