/*
 * Who sent a message, for the audit trail's `by=`: read from what the node that made the message
 * puts on it. A message can carry any of these properties from anywhere in a flow, so `by=` names
 * the apparent origin for the trail; it is never used to decide anything.
 */
import type { NodeMessage } from 'node-red';

/** A name or an id at most this long goes into the line (the rest is cut). */
const MAX_ORIGIN = 64;

function named(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value.length > MAX_ORIGIN ? value.slice(0, MAX_ORIGIN) : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Dashboard 2.0 with "include client data" sets `msg._client = { socketId, socketIp }`; a login
 * plugin (FlowFuse's user add-on) adds `user = { userId, username, name, email }`.
 */
function dashboardClient(client: unknown): string | undefined {
  if (client === null || typeof client !== 'object') return undefined;
  const c = client as { user?: unknown; socketId?: unknown };
  const user = c.user !== null && typeof c.user === 'object' ? (c.user as Record<string, unknown>) : undefined;
  const who = user ? (named(user.username) ?? named(user.name) ?? named(user.userId) ?? named(user.email)) : undefined;
  return who ?? named(c.socketId);
}

/** An `http in` message carries Express's request: its peer address (Express's `ip` honours `trust proxy`). */
function httpPeer(req: unknown): string | undefined {
  if (req === null || typeof req !== 'object') return undefined;
  const r = req as { ip?: unknown; socket?: { remoteAddress?: unknown } | null };
  return named(r.ip) ?? named(r.socket?.remoteAddress);
}

/**
 * The origin of a message: `dashboard:<user or socket id>`, `http:<peer address>`,
 * `mqtt:<topic>` (an `mqtt in` message: topic, qos and retain), else `flow`.
 */
export function origin(msg: NodeMessage): string {
  const m = msg as Record<string, unknown>;
  // Most messages carry none of these: three property reads, no allocation.
  if (m._client !== undefined) {
    const who = dashboardClient(m._client);
    if (who !== undefined) return `dashboard:${who}`;
  }
  if (m.req !== undefined) {
    const peer = httpPeer(m.req);
    if (peer !== undefined) return `http:${peer}`;
  }
  if (typeof m.qos === 'number' && typeof m.retain === 'boolean') {
    const topic = named(m.topic);
    if (topic !== undefined) return `mqtt:${topic}`;
  }
  return 'flow';
}
