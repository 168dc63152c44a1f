// One PBX stream per camera per config node, shared by every node that wants its frames (stream
// nodes, snapshot history). Users register and deregister like the MQTT broker node's users:
// the first one opens the stream, the last one closes it, deregister(node, done) calls done once
// the connection is closed.
import { messageOf, readCameraStream, type WebTapiClient } from '../../../client';

export type FeedState = 'streaming' | 'reconnecting' | 'stopped';

export interface FeedUser {
  /** Every frame as it arrives, with the time it arrived (epoch ms). */
  frame?(data: Buffer, at: number): void;
  /** The stream's state changed (also called once at registration). */
  state?(state: FeedState, err?: unknown): void;
  /** Seconds of frames the camera's history keeps for this user (0: none). */
  historySeconds?: number;
}

export interface BufferedFrame {
  data: Buffer;
  /** When the frame arrived (epoch ms). */
  at: number;
}

/** Caps of one camera's history; whatever is reached first drops the oldest frames. */
export const HISTORY_MAX_SECONDS = 60;
export const HISTORY_MAX_BYTES = 32 * 1024 * 1024;
export const HISTORY_MAX_FRAMES = 1800; // 60 s at 30 fps

export interface HubOptions {
  /** No frame for this long counts as a dropped stream (default 10 s). */
  noFrameTimeoutMs?: number;
  /** First wait before reopening a dropped stream, doubled up to backoffMaxMs (defaults 500 ms, 30 s). */
  backoffMs?: number;
  backoffMaxMs?: number;
}

/** Recent frames, oldest first, bounded in time, count and bytes. */
export class FrameHistory {
  private frames: BufferedFrame[] = [];
  private first = 0;
  private bytes = 0;
  seconds = 0;

  get size(): number {
    return this.frames.length - this.first;
  }

  get byteSize(): number {
    return this.bytes;
  }

  push(frame: BufferedFrame): void {
    if (this.seconds <= 0) return;
    this.frames.push(frame);
    this.bytes += frame.data.length;
    this.trim(frame.at);
  }

  /** Drops what is older than `seconds` before `now` or beyond the caps. */
  trim(now: number): void {
    const oldest = now - this.seconds * 1000;
    while (this.size > 0) {
      const f = this.frames[this.first];
      if (f.at >= oldest && this.size <= HISTORY_MAX_FRAMES && this.bytes <= HISTORY_MAX_BYTES) break;
      this.bytes -= f.data.length;
      this.first++;
    }
    // compact now and then instead of shifting on every frame
    if (this.first > 256 && this.first * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.first);
      this.first = 0;
    }
    if (this.seconds <= 0) this.clear();
  }

  clear(): void {
    this.frames = [];
    this.first = 0;
    this.bytes = 0;
  }

  /** The frame that arrived nearest to `at`, if one is within toleranceMs. */
  nearest(at: number, toleranceMs: number): BufferedFrame | undefined {
    let best: BufferedFrame | undefined;
    for (let i = this.first; i < this.frames.length; i++) {
      const f = this.frames[i];
      if (!best || Math.abs(f.at - at) < Math.abs(best.at - at)) best = f;
      if (f.at > at) break; // later frames are only further away
    }
    return best && Math.abs(best.at - at) <= toleranceMs ? best : undefined;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** One camera's stream: open while it has users, reopened with capped back-off when it drops. */
class CameraFeed {
  readonly users = new Map<object, FeedUser>();
  readonly history = new FrameHistory();
  state: FeedState = 'stopped';
  private readonly stopper = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    private readonly client: WebTapiClient,
    readonly camera: string,
    private readonly opts: Required<HubOptions>,
    private readonly warn: (text: string) => void,
  ) {}

  start(): void {
    if (!this.running) this.running = this.loop();
  }

  /** Ends the stream; resolves once its connection is closed. */
  stop(): Promise<void> {
    this.stopper.abort();
    return this.running ?? Promise.resolve();
  }

  updateHistory(): void {
    let seconds = 0;
    for (const u of this.users.values()) seconds = Math.max(seconds, Math.min(HISTORY_MAX_SECONDS, u.historySeconds ?? 0));
    this.history.seconds = seconds;
    this.history.trim(Date.now());
  }

  private async loop(): Promise<void> {
    const signal = this.stopper.signal;
    let wait = this.opts.backoffMs;
    while (!signal.aborted) {
      let frames = 0;
      try {
        await readCameraStream(this.client, this.camera, {
          signal,
          noFrameTimeoutMs: this.opts.noFrameTimeoutMs,
          onFrame: (data) => {
            frames++;
            this.deliver(data);
          },
        });
      } catch (err) {
        if (signal.aborted) break;
        if (frames > 0) wait = this.opts.backoffMs;
        this.setState('reconnecting', err);
        await pause(wait, signal);
        wait = Math.min(wait * 2, this.opts.backoffMaxMs);
      }
    }
    this.setState('stopped');
  }

  private deliver(data: Buffer): void {
    const at = Date.now();
    if (this.state !== 'streaming') this.setState('streaming');
    this.history.push({ data, at });
    for (const u of this.users.values()) {
      try {
        u.frame?.(data, at);
      } catch (err) {
        this.warn(`camera ${this.camera}: a frame could not be handed on (${messageOf(err).slice(0, 80)})`);
      }
    }
  }

  private setState(state: FeedState, err?: unknown): void {
    this.state = state;
    for (const u of this.users.values()) u.state?.(state, err);
  }
}

/** The camera streams of one config node. */
export class StreamHub {
  private readonly feeds = new Map<string, CameraFeed>();
  private readonly opts: Required<HubOptions>;
  private closed = false;

  constructor(
    private readonly client: WebTapiClient,
    private readonly warn: (text: string) => void = () => undefined,
    options: HubOptions = {},
  ) {
    this.opts = {
      noFrameTimeoutMs: options.noFrameTimeoutMs ?? 10_000,
      backoffMs: options.backoffMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 30_000,
    };
  }

  /** `node` uses `camera` (a node uses one camera at a time: registering again moves it). */
  register(node: object, camera: string, user: FeedUser): void {
    if (this.closed) return;
    this.deregister(node);
    let feed = this.feeds.get(camera);
    if (!feed) {
      feed = new CameraFeed(this.client, camera, this.opts, this.warn);
      this.feeds.set(camera, feed);
    }
    feed.users.set(node, user);
    feed.updateHistory();
    user.state?.(feed.state === 'stopped' ? 'reconnecting' : feed.state);
    feed.start();
  }

  /** `node` no longer uses its camera; `done` runs once nothing of it is left open. */
  deregister(node: object, done?: () => void): void {
    for (const [camera, feed] of this.feeds) {
      if (!feed.users.delete(node)) continue;
      feed.updateHistory();
      if (feed.users.size === 0) {
        this.feeds.delete(camera);
        void feed.stop().then(
          () => done?.(),
          () => done?.(),
        );
        return;
      }
      break;
    }
    done?.();
  }

  /** The buffered frame of `camera` that arrived nearest to `at`, within toleranceMs. */
  frameAt(camera: string, at: number, toleranceMs: number): BufferedFrame | undefined {
    return this.feeds.get(camera)?.history.nearest(at, toleranceMs);
  }

  /** Cameras with an open or reopening stream (for tests and the status). */
  get cameras(): string[] {
    return [...this.feeds.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    const feeds = [...this.feeds.values()];
    this.feeds.clear();
    await Promise.all(feeds.map((f) => f.stop()));
  }
}
