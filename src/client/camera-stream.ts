// Reads a camera's MJPEG stream frame by frame until it ends, fails, goes quiet or is stopped.
import { TimeoutError, UnreachableError, WebTapiError } from './errors';
import { MjpegParser } from './mjpeg';
import type { WebTapiClient } from './client';

export interface CameraStreamOptions {
  /** Ends the stream (the promise then resolves). */
  signal?: AbortSignal;
  /** No frame for this long counts as a dropped stream (default 10 s). */
  noFrameTimeoutMs?: number;
  /** Cap of one frame (default: the client's binary cap). */
  maxFrameBytes?: number;
  /** Called once the PBX has answered with a stream. */
  onOpen?: (contentType: string) => void;
  onFrame: (frame: Buffer) => void;
}

const ACTION = 'vmx_cam_get_stream';

/**
 * Opens vmx_cam_get_stream for `camera` and calls onFrame for every frame. Resolves when stopped
 * through the signal; rejects with a WebTapiError when the stream cannot be opened, breaks, ends
 * (an endless stream that ends was dropped) or sends no frame for noFrameTimeoutMs.
 */
export async function readCameraStream(client: WebTapiClient, camera: string, o: CameraStreamOptions): Promise<void> {
  const timeoutMs = o.noFrameTimeoutMs ?? 10_000;
  const open = await client.openStream(ACTION, { CAMID: camera }, { signal: o.signal, timeoutMs });
  if (o.signal?.aborted) {
    open.close();
    return;
  }
  o.onOpen?.(open.contentType);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let quiet: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(new TimeoutError(ACTION, timeoutMs)), timeoutMs);
    };
    const parser = new MjpegParser({
      contentType: open.contentType,
      maxFrameBytes: o.maxFrameBytes ?? client.maxBinaryBytes,
      onFrame: (frame) => {
        arm();
        o.onFrame(frame);
      },
    });
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(quiet);
      o.signal?.removeEventListener('abort', onAbort);
      open.close();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => finish(null);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (chunk: Buffer) => {
      if (settled) return;
      try {
        parser.push(chunk);
      } catch (err) {
        finish(err as Error);
      }
    };
    arm();
    if (open.head.length > 0) feed(open.head);
    open.body.on('data', feed);
    open.body.once('end', () => finish(new UnreachableError(ACTION, undefined, true, 'the stream ended')));
    open.body.once('error', (err: Error) => {
      if (o.signal?.aborted) return finish(null);
      finish(err instanceof WebTapiError ? err : new UnreachableError(ACTION, undefined, true, 'connection lost'));
    });
    open.body.resume();
    // a body that ended while its first bytes were looked at sends no 'end' any more
    if (open.body.readableEnded) finish(new UnreachableError(ACTION, undefined, true, 'the stream ended'));
  });
}
