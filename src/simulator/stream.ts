// MJPEG over multipart/x-mixed-replace: a frame every intervalMs until the client goes away.
import type { ServerResponse } from 'node:http';
import type { Timers } from './timers';

export const MJPEG_BOUNDARY = 'webtapisimframe';

export function streamMjpeg(res: ServerResponse, nextFrame: () => Buffer, timers: Timers, intervalMs = 100): void {
  res.writeHead(200, {
    'Content-Type': `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`,
    'Cache-Control': 'no-cache, no-store',
    Pragma: 'no-cache',
    Connection: 'close',
  });
  const send = (): void => {
    if (res.destroyed || res.writableEnded) {
      timers.clear(t);
      return;
    }
    if (res.writableNeedDrain) return; // a slow reader skips frames instead of buffering them
    const frame = nextFrame();
    res.write(`--${MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.length}\r\n\r\n`);
    res.write(frame);
    res.write('\r\n');
  };
  const t = timers.interval(send, intervalMs);
  res.once('close', () => timers.clear(t));
  send();
}
