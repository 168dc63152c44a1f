// Answer formatting: concise channel lines and lists.
import { createHash } from 'node:crypto';
import type { SimChannel, SimState } from './state';

/** How the bridged field names the other side: Asterisk up to 11 the peer channel, from 12 on a bridge id. */
export type BridgeField = 'peer' | 'id';

/** A bridge id as Asterisk 12+ prints it: a UUID shared by the two channels of one bridge. */
function bridgeId(a: string, b: string): string {
  const h = createHash('sha1').update([a, b].sort().join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * One channel in Asterisk "concise" format, fields separated by '!'.
 * 14 fields: channel!context!exten!priority!state!application!data!callerId!accountCode!peerAccount!amaFlags!duration!bridgedTo!uniqueId
 * 13 fields: the layout of the document's q_call_list example, without priority and peerAccount but with the
 * caller id name: channel!context!exten!state!application!data!callerId!callerIdName!accountCode!amaFlags!duration!bridgedTo!uniqueId
 * The bridged field names the peer only while both channels are up, as Asterisk shows it.
 */
export function channelLine(ch: SimChannel, state: SimState, fields: 13 | 14, now = Date.now(), bridge: BridgeField = 'peer'): string {
  const peer = state.shownPeer(ch);
  const duration = Math.max(0, Math.floor((now - ch.createdAt) / 1000));
  const clean = (s: string): string => s.replace(/[!\r\n]/g, '_');
  const bridged = bridge === 'id' ? (peer ? bridgeId(ch.name, peer.name) : '') : (peer?.name ?? '(None)');
  const tail = [String(ch.amaFlags), String(duration), bridged, ch.uniqueId];
  const out =
    fields === 14
      ? [
          ch.name,
          ch.context,
          ch.exten,
          String(ch.priority),
          ch.state,
          ch.application,
          ch.data,
          ch.callerId,
          ch.accountCode,
          peer?.accountCode ?? '',
          ...tail,
        ]
      : [
          ch.name,
          ch.context,
          ch.exten,
          ch.state,
          ch.application,
          ch.data,
          ch.callerId,
          ch.callerName || ch.callerId,
          ch.accountCode,
          ...tail,
        ];
  return out.map(clean).join('!');
}

export function lines(items: readonly string[], lineEnding: string): string {
  return items.join(lineEnding);
}
