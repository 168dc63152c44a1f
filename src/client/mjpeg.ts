// Splits a camera stream into JPEG frames: multipart/x-mixed-replace (the usual MJPEG over HTTP)
// or, when the content type is not multipart, a bare sequence of JPEGs. Pure logic, no I/O.
import { BadResponseError, ResponseTooLargeError } from './errors';

export interface MjpegParserOptions {
  /** The answer's Content-Type; decides between multipart and bare JPEGs and names the boundary. */
  contentType: string;
  /** A frame larger than this ends the stream with WEBTAPI_RESPONSE_TOO_LARGE. */
  maxFrameBytes: number;
  /** Called with each complete frame, a Buffer of its own (never a view into a network chunk). */
  onFrame: (frame: Buffer) => void;
  /** Names the action in errors (default vmx_cam_get_stream). */
  action?: string;
}

/** Part headers longer than this are not MJPEG. */
const MAX_HEADER_BYTES = 16 * 1024;
const LF = 0x0a;
const LF_BYTE = Buffer.from([LF]);
const CR = 0x0d;
const DASH = 0x2d;
const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);

/** The boundary parameter of a multipart content type, without quotes and leading dashes; '' if none. */
export function multipartBoundary(contentType: string): string | null {
  if (!/^\s*multipart\//i.test(contentType)) return null;
  const m = /;\s*boundary\s*=\s*("([^"]*)"|[^;\s]+)/i.exec(contentType);
  const raw = m ? (m[2] ?? m[1]) : '';
  return raw.replace(/^-+/, '');
}

/**
 * The bytes received and not yet consumed, as the network chunks they came in: a frame is copied
 * out of them exactly once, and a search never joins chunks.
 */
class ChunkQueue {
  private chunks: Buffer[] = [];
  /** Offset of the first unconsumed byte in chunks[0]. */
  private head = 0;
  size = 0;
  /** The last chunk looked up and its queue position: searches go forward, so they start there. */
  private atChunk = 0;
  private atBase = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Index of the chunk holding queue position `pos` (pos < size), and that chunk's queue position. */
  private locate(pos: number): void {
    if (pos < this.atBase) {
      this.atChunk = 0;
      this.atBase = -this.head;
    }
    while (this.atBase + this.chunks[this.atChunk].length <= pos) {
      this.atBase += this.chunks[this.atChunk].length;
      this.atChunk++;
    }
  }

  byteAt(pos: number): number {
    if (pos < 0 || pos >= this.size) return -1;
    this.locate(pos);
    return this.chunks[this.atChunk][pos - this.atBase];
  }

  /** Position of `pattern` at or after `from`, or -1. */
  indexOf(pattern: Buffer, from: number): number {
    if (from >= this.size) return -1;
    const m = pattern.length;
    this.locate(Math.max(0, from));
    for (let k = this.atChunk, base = this.atBase; k < this.chunks.length; k++) {
      const c = this.chunks[k];
      const start = Math.max(0, from - base);
      const i = c.indexOf(pattern, start);
      if (i >= 0) return base + i;
      // a match that starts in this chunk's tail and ends in the next ones
      for (let t = Math.max(start, c.length - m + 1); t < c.length; t++) {
        if (this.matchesAt(pattern, base + t)) return base + t;
      }
      base += c.length;
    }
    return -1;
  }

  private matchesAt(pattern: Buffer, pos: number): boolean {
    if (pos + pattern.length > this.size) return false;
    for (let i = 0; i < pattern.length; i++) if (this.byteAt(pos + i) !== pattern[i]) return false;
    return true;
  }

  /** The first n bytes as a Buffer of their own (one copy), consumed. */
  take(n: number): Buffer {
    const out = Buffer.allocUnsafeSlow(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const k = Math.min(n - filled, c.length - this.head);
      c.copy(out, filled, this.head, this.head + k);
      filled += k;
      this.advance(k);
    }
    return out;
  }

  /** The first n bytes as latin1 text (short headers only), consumed. */
  text(n: number): string {
    return this.take(n).toString('latin1');
  }

  skip(n: number): void {
    let left = Math.min(n, this.size);
    while (left > 0) {
      const k = Math.min(left, this.chunks[0].length - this.head);
      this.advance(k);
      left -= k;
    }
  }

  private advance(k: number): void {
    this.head += k;
    this.size -= k;
    if (this.head === this.chunks[0].length) {
      this.chunks.shift();
      this.head = 0;
    }
    this.atChunk = 0;
    this.atBase = -this.head;
  }
}

type State = { s: 'delimiter' } | { s: 'headers' } | { s: 'body'; length: number | null };

/**
 * Feed it the body chunk by chunk with push(); it calls onFrame for every complete frame and
 * throws (a WebTapiError) when the stream cannot be MJPEG or a frame exceeds the cap.
 */
export class MjpegParser {
  readonly mode: 'multipart' | 'bare';
  private readonly q = new ChunkQueue();
  private readonly opts: MjpegParserOptions;
  private readonly action: string;
  /** The boundary as it appears in the body, without leading dashes; null until known. */
  private boundary: Buffer | null;
  private state: State = { s: 'delimiter' };
  /** Bytes already searched without a match; the next search starts a little before. */
  private scanned = 0;
  /** Bare mode: queue position of the current frame's SOI, or -1. */
  private frameStart = -1;
  /** Bare mode: position of the next marker segment before the scan, -1 once in the scan. */
  private segment = -1;
  /** Bare mode: where the scan (entropy-coded data) starts; the end marker is looked for from there. */
  private scanStart = 2;
  private frames = 0;

  constructor(opts: MjpegParserOptions) {
    this.opts = opts;
    this.action = opts.action ?? 'vmx_cam_get_stream';
    const boundary = multipartBoundary(opts.contentType);
    this.mode = boundary === null ? 'bare' : 'multipart';
    this.boundary = boundary ? Buffer.from(boundary, 'latin1') : null;
  }

  /** Bytes held now, waiting for the rest of a frame. */
  get buffered(): number {
    return this.q.size;
  }

  /** Frames emitted so far. */
  get count(): number {
    return this.frames;
  }

  push(chunk: Buffer): void {
    this.q.push(chunk);
    if (this.mode === 'bare') this.bare();
    else
      while (this.step()) {
        /* consume all complete parts */
      }
  }

  private emit(frame: Buffer): void {
    this.frames++;
    this.opts.onFrame(frame);
  }

  private tooLarge(): never {
    throw new ResponseTooLargeError(this.action, this.opts.maxFrameBytes);
  }

  /** Position of the first LF at or after `from`, or -1. */
  private lineEnd(from: number): number {
    return this.q.indexOf(LF_BYTE, from);
  }

  /** One multipart step; false when more bytes are needed. */
  private step(): boolean {
    switch (this.state.s) {
      case 'delimiter':
        return this.delimiter();
      case 'headers':
        return this.headers();
      default:
        return this.body(this.state.length);
    }
  }

  /** Skips to the end of the next delimiter line (`--boundary`, optional dashes and whitespace). */
  private delimiter(): boolean {
    if (!this.boundary) return this.learnBoundary();
    const at = this.q.indexOf(this.boundary, Math.max(0, this.scanned - this.boundary.length));
    if (at < 0) {
      // keep a possible partial delimiter, drop the rest (preamble, epilogue, stray bytes)
      const keep = this.boundary.length + 8;
      if (this.q.size > keep) this.q.skip(this.q.size - keep);
      this.scanned = this.q.size;
      return false;
    }
    const eol = this.lineEnd(at + this.boundary.length);
    if (eol < 0) return this.waitLine(at);
    this.q.skip(eol + 1);
    this.scanned = 0;
    this.state = { s: 'headers' };
    return true;
  }

  /** multipart without a boundary parameter: the first line that starts with `--` is the delimiter. */
  private learnBoundary(): boolean {
    for (;;) {
      const eol = this.lineEnd(0);
      if (eol < 0) return this.waitLine(0);
      const line = this.q.text(eol + 1).trim();
      if (line.startsWith('--') && line.length > 2) {
        this.boundary = Buffer.from(line.replace(/^-+/, ''), 'latin1');
        this.state = { s: 'headers' };
        return true;
      }
    }
  }

  private waitLine(from: number): false {
    if (this.q.size - from > MAX_HEADER_BYTES) throw new BadResponseError(this.action, 'a multipart line without end');
    return false;
  }

  /** Reads part headers up to the blank line; takes Content-Length when there is one. */
  private headers(): boolean {
    let from = 0;
    let length: number | null = null;
    for (;;) {
      const eol = this.lineEnd(from);
      if (eol < 0) return this.waitLine(0);
      const blank = eol === from || (eol === from + 1 && this.q.byteAt(from) === CR);
      if (blank) {
        const text = this.q.text(eol + 1);
        const m = /(?:^|\n)\s*content-length\s*:\s*(\d+)/i.exec(text);
        if (m) length = Number(m[1]);
        break;
      }
      from = eol + 1;
    }
    if (length !== null && length > this.opts.maxFrameBytes) this.tooLarge();
    this.scanned = 0;
    this.state = { s: 'body', length };
    return true;
  }

  private body(length: number | null): boolean {
    if (length !== null) {
      if (this.q.size < length) return false;
      this.finishPart(this.q.take(length));
      return true;
    }
    const b = this.boundary as Buffer;
    const at = this.q.indexOf(b, Math.max(0, this.scanned - b.length));
    if (at < 0) {
      this.scanned = this.q.size;
      if (this.q.size > this.opts.maxFrameBytes + b.length + 8) this.tooLarge();
      return false;
    }
    // the part ends before the line break that precedes `--boundary`
    let end = at;
    while (end > 0 && this.q.byteAt(end - 1) === DASH) end--;
    if (end > 0 && this.q.byteAt(end - 1) === LF) end--;
    if (end > 0 && this.q.byteAt(end - 1) === CR) end--;
    if (end > this.opts.maxFrameBytes) this.tooLarge();
    const frame = this.q.take(end);
    this.scanned = 0;
    this.state = { s: 'delimiter' };
    if (frame.length > 0) this.emit(frame);
    return true;
  }

  private finishPart(frame: Buffer): void {
    this.scanned = 0;
    this.state = { s: 'delimiter' };
    if (frame.length > 0) this.emit(frame);
  }

  /**
   * Bare JPEGs: from each start marker (FF D8) to its end marker (FF D9), byte for byte. The marker
   * segments before the scan are walked by their lengths, so an EXIF thumbnail (a JPEG inside the
   * APP1 segment) does not end the frame early; inside the scan FF D9 can only be the end marker.
   */
  private bare(): void {
    for (;;) {
      if (this.frameStart < 0) {
        const soi = this.q.indexOf(SOI, Math.max(0, this.scanned - 1));
        if (soi < 0) {
          // nothing but stray bytes: keep the last one (it may be the FF of a marker)
          if (this.q.size > 1) this.q.skip(this.q.size - 1);
          this.scanned = this.q.size;
          return;
        }
        this.q.skip(soi);
        this.frameStart = 0;
        this.segment = 2;
        this.scanned = 0;
      }
      if (this.segment >= 0 && !this.walkSegments()) return;
      const eoi = this.q.indexOf(EOI, Math.max(this.scanStart, this.scanned - 1));
      if (eoi < 0) {
        this.scanned = this.q.size;
        if (this.q.size > this.opts.maxFrameBytes) this.tooLarge();
        return;
      }
      if (eoi + 2 > this.opts.maxFrameBytes) this.tooLarge();
      this.frameStart = -1;
      this.scanned = 0;
      this.emit(this.q.take(eoi + 2));
    }
  }

  /** Advances `segment` over marker segments up to the scan; false when more bytes are needed. */
  private walkSegments(): boolean {
    for (;;) {
      let p = this.segment;
      if (p > this.opts.maxFrameBytes) this.tooLarge();
      if (p + 4 > this.q.size) return false;
      if (this.q.byteAt(p) !== 0xff) {
        // not a marker where one belongs: treat the rest as scan data
        this.scanStart = p;
        this.segment = -1;
        return true;
      }
      const marker = this.q.byteAt(p + 1);
      if (marker === 0xff) {
        this.segment = p + 1;
        continue;
      } // fill byte
      if (marker === 0xd8) {
        this.q.skip(p);
        this.segment = 2;
        continue;
      } // a cut-off frame, then a new one
      if (marker === 0xd9) {
        this.scanStart = p;
        this.segment = -1;
        return true;
      }
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        this.segment = p + 2;
        continue;
      }
      p += 2 + ((this.q.byteAt(p + 2) << 8) | this.q.byteAt(p + 3));
      this.segment = p;
      if (marker === 0xda) {
        this.scanStart = p;
        this.segment = -1;
        return true;
      }
    }
  }
}
