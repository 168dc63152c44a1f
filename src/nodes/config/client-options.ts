import type { Node, NodeAPI } from 'node-red';
import type { TlsOptions, WebTapiClientOptions } from '../../client';

export interface Credentials {
  username?: string;
  password?: string;
}

/** A server configuration as the editor stores it (numbers may be text, anything may be missing). */
export interface ServerSettings {
  url?: unknown;
  username?: unknown;
  password?: unknown;
  timeout?: unknown;
  concurrency?: unknown;
  /** The id of a tls-config node. */
  tls?: unknown;
}

/** A number the editor stored, or undefined for an empty field (the client's default then applies). */
function stored(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return Number(value);
}

function tlsOptions(RED: NodeAPI, id: unknown): TlsOptions | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  const tlsNode = RED.nodes.getNode(id) as (Node & { addTLSOptions?: (o: Record<string, unknown>) => void }) | null;
  if (!tlsNode || typeof tlsNode.addTLSOptions !== 'function') return undefined;
  const opts: Record<string, unknown> = {};
  tlsNode.addTLSOptions(opts);
  return opts as TlsOptions;
}

/**
 * The client options of a server configuration, for the config node and for the editor's
 * connection test alike. Ranges and defaults are the client's own (LIMITS in client.ts).
 */
export function clientOptions(RED: NodeAPI, settings: ServerSettings): WebTapiClientOptions {
  return {
    url: String(settings.url ?? ''),
    username: typeof settings.username === 'string' ? settings.username : '',
    password: typeof settings.password === 'string' ? settings.password : '',
    timeoutMs: stored(settings.timeout),
    concurrency: stored(settings.concurrency),
    tls: tlsOptions(RED, settings.tls),
  };
}
