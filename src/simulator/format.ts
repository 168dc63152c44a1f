// Answer formatting: concise channel lines and lists.
import type { SimChannel, SimState } from './state';

/**
 * One channel in Asterisk "concise" format, fields separated by '!'.
 * 14 fields: channel!context!exten!priority!state!application!data!callerId!accountCode!peerAccount!amaFlags!duration!bridgedTo!uniqueId
 * 13 fields: the layout of the document's q_call_list example, without priority and peerAccount but with the
 * caller id name: channel!context!exten!state!application!data!callerId!callerIdName!accountCode!amaFlags!duration!bridgedTo!uniqueId
 */
export function channelLine(ch: SimChannel, state: SimState, fields: 13 | 14, now = Date.now()): string {
  const peer = state.peerOf(ch);
  const duration = Math.max(0, Math.floor((now - ch.createdAt) / 1000));
  const clean = (s: string): string => s.replace(/[!\r\n]/g, '_');
  const tail = [String(ch.amaFlags), String(duration), ch.bridgedTo ?? '(None)', ch.uniqueId];
  const out = fields === 14
    ? [ch.name, ch.context, ch.exten, String(ch.priority), ch.state, ch.application, ch.data, ch.callerId, ch.accountCode, peer?.accountCode ?? '', ...tail]
    : [ch.name, ch.context, ch.exten, ch.state, ch.application, ch.data, ch.callerId, ch.callerId, ch.accountCode, ...tail];
  return out.map(clean).join('!');
}

export function lines(items: readonly string[], lineEnding: string): string {
  return items.join(lineEnding);
}
