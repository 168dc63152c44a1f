import type { Dispatcher } from 'undici';
import type { TlsOptions } from './transport';

/** What a pool is for. */
export type PoolUse = 'requests' | 'streams';

/**
 * How the two pools differ. Streams get no connection limit (a stream open for hours must not hold
 * one of the connections the requests share) and no body timeout (the stream reader applies its own
 * no-frame timeout).
 */
const POOL_SETTINGS: Record<PoolUse, { limited: boolean; keepAliveTimeout: number; bodyTimeout: boolean }> = {
  requests: { limited: true, keepAliveTimeout: 4_000, bodyTimeout: true },
  streams: { limited: false, keepAliveTimeout: 1_000, bodyTimeout: false },
};

export interface PoolOptions {
  timeoutMs: number;
  concurrency: number;
  tls?: TlsOptions;
}

/**
 * A keep-alive pool to `origin`. undici is loaded here, at the first request, not with the package:
 * it takes longer to load than the rest of it, and Node-RED need not pay for that until a node
 * sends something.
 */
export function makePool(origin: string, opts: PoolOptions, use: PoolUse): Dispatcher {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, see above
  const { Pool } = require('undici') as typeof import('undici');
  const settings = POOL_SETTINGS[use];
  const https = origin.startsWith('https:');
  return new Pool(origin, {
    connections: settings.limited ? opts.concurrency : undefined,
    pipelining: 1,
    keepAliveTimeout: settings.keepAliveTimeout,
    connectTimeout: Math.min(opts.timeoutMs, 10_000),
    headersTimeout: opts.timeoutMs + 1_000,
    bodyTimeout: settings.bodyTimeout ? opts.timeoutMs + 1_000 : 0,
    // Only an explicit user choice turns certificate checks off (see TlsOptions).
    connect: https ? { ...opts.tls, rejectUnauthorized: opts.tls?.rejectUnauthorized !== false } : undefined,
  });
}
