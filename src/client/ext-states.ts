/**
 * Extension states (call_status_get): Asterisk's codes, its state names and its device-state
 * texts, read from lines such as `1001:0`, `1001 InUse`, `1001=Not in use` or a `core show hints`
 * line (`1001@ext-local : SIP/1001 State:Idle Watchers 0`).
 */

export type ExtensionStateName =
  'not_found' | 'idle' | 'inuse' | 'busy' | 'unavailable' | 'ringing' | 'inuse_ringing' | 'hold' | 'inuse_hold' | 'unknown';

export interface ExtensionState {
  code: number;
  state: ExtensionStateName;
}

/** Asterisk's extension state codes and their names (the simulator's states too). */
export const STATE_NAMES: Record<number, ExtensionStateName> = {
  [-1]: 'not_found',
  0: 'idle',
  1: 'inuse',
  2: 'busy',
  4: 'unavailable',
  8: 'ringing',
  9: 'inuse_ringing',
  16: 'hold',
  17: 'inuse_hold',
};

export function stateName(code: number): ExtensionStateName {
  return STATE_NAMES[code] ?? 'unknown';
}

/** The code for `Unknown` (Asterisk prints it for -2 "removed" and other codes it has no name for). */
const UNKNOWN_CODE = -2;

/**
 * State texts (lower case) → code: Asterisk's extension state names (`ast_extension_state2str`),
 * its device-state texts (queue members, hints) and this package's own names.
 */
const STATE_TEXTS: ReadonlyMap<string, number> = new Map([
  ['idle', 0],
  ['not in use', 0],
  ['not_inuse', 0],
  ['inuse', 1],
  ['in use', 1],
  ['busy', 2],
  ['unavailable', 4],
  ['ringing', 8],
  ['inuse&ringing', 9],
  ['ring+inuse', 9],
  ['inuse_ringing', 9],
  ['hold', 16],
  ['onhold', 16],
  ['on hold', 16],
  ['inuse&hold', 17],
  ['inuse_hold', 17],
  ['invalid', -1],
  ['not_found', -1],
  ['unknown', UNKNOWN_CODE],
]);

/** A state given as a code or as a text; null when it is neither. */
export function readState(text: string): ExtensionState | null {
  const v = text.trim();
  if (/^-?\d+$/.test(v)) return { code: Number(v), state: stateName(Number(v)) };
  const code = STATE_TEXTS.get(v.toLowerCase());
  return code === undefined ? null : { code, state: stateName(code) };
}

const HINT = /^(\S+?)@\S+\s*:\s*\S+\s+State:\s*(\S+)/;
/**
 * `extension<separator>state`, the separator one of `:`, `=`, `;`, `,`, a tab or spaces, the state a
 * code or a text (which may hold spaces: `1001 Not in use`).
 */
const EXT_STATE = /^(.+?)\s*(?:[:=;,\t]|\s)\s*(-?\d+|[A-Za-z][A-Za-z &+_]*)$/;

/** One state line as [extension, state], or null when the line is not one. */
export function readStateLine(line: string): [string, ExtensionState] | null {
  const hint = HINT.exec(line);
  if (hint) return [hint[1], readState(hint[2]) ?? { code: UNKNOWN_CODE, state: 'unknown' }];
  const m = EXT_STATE.exec(line);
  const state = m ? readState(m[2]) : null;
  return m && state && m[1].trim() !== '' ? [m[1].trim(), state] : null;
}
