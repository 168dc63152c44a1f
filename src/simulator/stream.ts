// The camera stream: JPEG frames every intervalMs until the client goes away, as MJPEG
// (multipart/x-mixed-replace) or as the variants real cameras send.
import type { ServerResponse } from 'node:http';
import type { Timers } from './timers';

export const MJPEG_BOUNDARY = 'webtapisimframe';

/** How vmx_cam_get_stream answers; every field may be changed while the simulator runs. */
export interface StreamOptions {
  /** Time between frames, ms (default 100). */
  intervalMs: number;
  /** 'multipart' (default) or 'bare': JPEGs one after another, content type image/jpeg. */
  format: 'multipart' | 'bare';
  /** A Content-Length header per part (default true). */
  partLength: boolean;
  /** Line ending of the multipart framing (default CRLF). */
  lineEnding: '\r\n' | '\n';
  /** Close the stream after this many frames; 0 (default) never. */
  dropAfter: number;
  /** Sees every frame as it is sent (tests compare them byte for byte). */
  tap?: (camera: string, frame: Buffer) => void;
}

export function defaultStreamOptions(): StreamOptions {
  return { intervalMs: 100, format: 'multipart', partLength: true, lineEnding: '\r\n', dropAfter: 0 };
}

/** Checked stream options (SimulatorOptions.stream, the CLI's --stream). */
export function checkStreamOptions(o: Partial<StreamOptions>): Partial<StreamOptions> {
  const out: Partial<StreamOptions> = {};
  const int = (name: string, v: unknown, min: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 3_600_000)
      throw new RangeError(`webtapi simulator: stream.${name} must be an integer >= ${min}`);
    return v;
  };
  if (o.intervalMs !== undefined) out.intervalMs = int('intervalMs', o.intervalMs, 1);
  if (o.dropAfter !== undefined) out.dropAfter = int('dropAfter', o.dropAfter, 0);
  if (o.format !== undefined) {
    if (o.format !== 'multipart' && o.format !== 'bare')
      throw new RangeError('webtapi simulator: stream.format must be "multipart" or "bare"');
    out.format = o.format;
  }
  if (o.lineEnding !== undefined) {
    if (o.lineEnding !== '\r\n' && o.lineEnding !== '\n')
      throw new RangeError('webtapi simulator: stream.lineEnding must be "\\r\\n" or "\\n"');
    out.lineEnding = o.lineEnding;
  }
  if (o.partLength !== undefined) out.partLength = o.partLength !== false;
  if (o.tap !== undefined) out.tap = o.tap;
  return out;
}

/** `--stream bare,lf,no-length,drop=5,interval=100`: the CLI's stream options. */
export function parseStreamSpec(spec: string): Partial<StreamOptions> {
  const o: Partial<StreamOptions> = {};
  for (const item of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [key, value] = item.split('=');
    const n = Number(value);
    if (key === 'bare' || key === 'multipart') o.format = key;
    else if (key === 'lf') o.lineEnding = '\n';
    else if (key === 'crlf') o.lineEnding = '\r\n';
    else if (key === 'no-length') o.partLength = false;
    else if (key === 'drop' && value !== undefined) o.dropAfter = n;
    else if (key === 'interval' && value !== undefined) o.intervalMs = n;
    else throw new RangeError(`unknown stream option ${JSON.stringify(item)} (bare, multipart, lf, crlf, no-length, drop=N, interval=MS)`);
  }
  return checkStreamOptions(o);
}

/** Streams open now, per camera id. */
export class OpenStreams {
  private readonly byCamera = new Map<string, number>();
  get total(): number {
    let n = 0;
    for (const v of this.byCamera.values()) n += v;
    return n;
  }
  of(camera: string): number {
    return this.byCamera.get(camera) ?? 0;
  }
  add(camera: string, delta: number): void {
    const n = this.of(camera) + delta;
    if (n > 0) this.byCamera.set(camera, n);
    else this.byCamera.delete(camera);
  }
}

export function streamMjpeg(
  res: ServerResponse,
  camera: string,
  nextFrame: () => Buffer,
  timers: Timers,
  o: StreamOptions,
  open: OpenStreams,
): void {
  const bare = o.format === 'bare';
  res.writeHead(200, {
    'Content-Type': bare ? 'image/jpeg' : `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`,
    'Cache-Control': 'no-cache, no-store',
    Pragma: 'no-cache',
    Connection: 'close',
  });
  const nl = o.lineEnding;
  const dropAfter = o.dropAfter;
  let sent = 0;
  const send = (): void => {
    if (res.destroyed || res.writableEnded) {
      timers.clear(t);
      return;
    }
    if (res.writableNeedDrain) return; // a slow reader skips frames instead of buffering them
    const frame = nextFrame();
    o.tap?.(camera, frame);
    if (!bare) {
      const length = o.partLength ? `Content-Length: ${frame.length}${nl}` : '';
      res.write(`--${MJPEG_BOUNDARY}${nl}Content-Type: image/jpeg${nl}${length}${nl}`);
    }
    res.write(frame);
    if (!bare) res.write(nl);
    if (dropAfter > 0 && ++sent >= dropAfter) {
      timers.clear(t);
      // an endless stream that ends: to the client a dropped stream (the frames sent still arrive)
      res.end();
    }
  };
  open.add(camera, 1);
  const t = timers.interval(send, o.intervalMs);
  res.once('close', () => {
    timers.clear(t);
    open.add(camera, -1);
  });
  send();
}
