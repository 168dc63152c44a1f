import { InvalidInputError } from './errors';

/**
 * Checks a parameter before anything is sent. Values are URL-encoded anyway; these checks
 * turn a value that cannot be right (a path in a file name, a second parameter smuggled into an
 * extension) into a clear error instead of a request.
 */
export type Validator = (action: string, param: string, value: unknown) => string;

// `..` is refused in every name: a path step in a file name or an id is never right.
const EXTENSION = /^(?!.*\.\.)[A-Za-z0-9*#+_.-]{1,64}$/;
const CHANNEL = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_.@:+#*-]*\/[A-Za-z0-9_.@:/+#*-]{1,120}$/;
const QUEUE = /^(?!.*\.\.)[A-Za-z0-9_.-]{1,64}$/;
const ID = /^[A-Za-z0-9_-]{1,32}$/;
const MONITOR_FILE = /^(?!.*\.\.)[A-Za-z0-9_.-]{1,128}$/;
const DTMF = /^[0-9*#A-Da-d]{1,64}$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
const ACTION_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const RELAY_STATUS = { min: 0, max: 255 };
const POSITION = { min: 1, max: 9999 };
const LIST_MAX = 500;

/**
 * The rules the editor checks before a deploy, as data: the build writes them into
 * resources/webtapi-editor.js (scripts/editor-assets.js), so the dialogs accept exactly what the
 * client accepts. Values are trimmed first, as scalarText() does.
 */
export const EDITOR_RULES = {
  patterns: {
    extension: EXTENSION.source,
    channel: CHANNEL.source,
    queue: QUEUE.source,
    id: ID.source,
    monitorFile: MONITOR_FILE.source,
    dtmf: DTMF.source,
    actionName: ACTION_NAME.source,
  },
  ranges: { relayStatus: RELAY_STATUS, position: POSITION },
  listMax: LIST_MAX,
};

function valueText(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? 'empty' : `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a value of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

/** Accepts strings and finite numbers (extensions are often typed as numbers in flows). */
function scalarText(action: string, param: string, value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return value.trim();
  throw new InvalidInputError(action, param, `expected text, got ${valueText(value)}`);
}

function pattern(re: RegExp, what: string): Validator {
  return (action, param, value) => {
    const text = scalarText(action, param, value);
    if (!re.test(text)) {
      throw new InvalidInputError(action, param, `${valueText(value)} is not a valid ${what}`);
    }
    return text;
  };
}

function integer(min: number, max: number, what: string): Validator {
  return (action, param, value) => {
    const text = typeof value === 'string' ? value.trim() : value;
    const n = typeof text === 'number' ? text : typeof text === 'string' && /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidInputError(action, param, `${valueText(value)} is not a valid ${what} (${min}..${max})`);
    }
    return String(n);
  };
}

/** A comma list given as text or array; every item must be an extension. */
function extensionList(action: string, param: string, value: unknown): string {
  const items = Array.isArray(value)
    ? value.map((v) => scalarText(action, param, v))
    : scalarText(action, param, value)
        .split(',')
        .map((s) => s.trim());
  const list = items.filter((s) => s !== '');
  if (list.length === 0) throw new InvalidInputError(action, param, 'the list is empty');
  if (list.length > LIST_MAX) throw new InvalidInputError(action, param, `more than ${LIST_MAX} entries`);
  for (const item of list) {
    if (!EXTENSION.test(item)) throw new InvalidInputError(action, param, `${valueText(item)} is not a valid extension`);
  }
  return list.join(',');
}

/** `true` is sent as the document's `break=true`; false means the parameter is left out. */
function flag(action: string, param: string, value: unknown): string {
  if (value === true || value === 'true' || value === 1 || value === '1') return 'true';
  if (value === false || value === 'false' || value === 0 || value === '0' || value === '') return '';
  throw new InvalidInputError(action, param, `${valueText(value)} is not true or false`);
}

/** A parameter a firmware adds and this package does not know: passed through, within reason. */
export function passThrough(action: string, param: string, value: unknown): string {
  // __proto__ would vanish from (or reshape) the object the parameters are collected in.
  if (!PARAM_NAME.test(param) || param.toUpperCase() === 'SID' || param === 'action' || param === '__proto__') {
    throw new InvalidInputError(action, 'parameter name', `${valueText(param)} is not allowed`);
  }
  let text: string;
  if (typeof value === 'boolean') text = String(value);
  else text = scalarText(action, param, value);
  if (text.length > 1024) throw new InvalidInputError(action, param, 'longer than 1024 characters');
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new InvalidInputError(action, param, 'contains control characters');
  // A lone surrogate cannot be URL-encoded (encodeURIComponent throws a URIError).
  if (/\p{Cs}/u.test(text)) throw new InvalidInputError(action, param, 'contains an unpaired surrogate');
  return text;
}

export const validators = {
  extension: pattern(EXTENSION, 'extension'),
  channel: pattern(CHANNEL, 'channel name (like SIP/1004-00000010)'),
  queue: pattern(QUEUE, 'queue name'),
  relayId: pattern(ID, 'relay id'),
  cameraId: pattern(ID, 'camera id'),
  monitorFile: pattern(MONITOR_FILE, 'monitor file name'),
  dtmf: pattern(DTMF, 'DTMF tone sequence (0-9 * # A-D)'),
  relayStatus: integer(RELAY_STATUS.min, RELAY_STATUS.max, 'relay status'),
  position: integer(POSITION.min, POSITION.max, 'queue position'),
  extensionList,
  flag,
} satisfies Record<string, Validator>;

export function validateActionName(action: unknown): string {
  if (typeof action !== 'string' || !ACTION_NAME.test(action.trim())) {
    throw new InvalidInputError(
      typeof action === 'string' ? action.slice(0, 64) : 'request',
      'action',
      `${valueText(action)} is not an action name`,
    );
  }
  const name = action.trim();
  // The session logs in by itself (a POST with the credentials); a GET "login" could only fail or confuse it.
  if (name === 'login') throw new InvalidInputError('login', 'action', 'login is not a request: the client logs in by itself');
  return name;
}
