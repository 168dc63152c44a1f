import { ActionSpec } from './actions';
import { ActionFailedError, BadResponseError } from './errors';
import * as p from './parsers';
import { Answer } from './transport';

const EMPTY_AS_ZERO = new Set(['channels', 'recordings', 'queues', 'agents', 'relays', 'cameras']);

/** A picture, a recording or a stream excerpt, byte for byte as the PBX served it. */
export interface BinaryAnswer {
  data: Buffer;
  contentType: string;
}

/** True when the PBX answered the bare `0` that means "error" (or "no session"). */
export function isZeroAnswer(spec: ActionSpec, answer: Answer): boolean {
  if (answer.body.length > 16) return false;
  if ((spec.answer === 'binary' || spec.answer === 'stream') && /^(image|audio|video|multipart)\//i.test(answer.contentType)) return false;
  return answer.body.toString('latin1').trim() === '0';
}

function sniff(data: Buffer): string {
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data.subarray(0, 4).toString('latin1') === '\x89PNG') return 'image/png';
  if (data.subarray(0, 3).toString('latin1') === 'GIF') return 'image/gif';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WAVE') return 'audio/wav';
  return 'application/octet-stream';
}

function binary(spec: ActionSpec, answer: Answer): BinaryAnswer {
  if (isZeroAnswer(spec, answer)) throw new ActionFailedError(spec.name);
  if (answer.body.length === 0) throw new BadResponseError(spec.name, 'an empty body instead of data');
  const type = answer.contentType.split(';')[0].trim().toLowerCase();
  if (type === 'text/html' || (type.startsWith('text/') && sniff(answer.body) === 'application/octet-stream')) {
    throw new BadResponseError(spec.name, `text (${type}) instead of data`);
  }
  const contentType = type && type !== 'application/octet-stream' && !type.startsWith('text/') ? answer.contentType : sniff(answer.body);
  return { data: answer.body, contentType };
}

/**
 * Turns an answer into the action's result. It is only called with a bare `0` once the session is
 * known to be valid, so there `0` is the PBX's own word: an error, or for a list without
 * parameters (where nothing can be wrong) an empty list, as some PBXs answer it.
 */
export function parseAnswer(spec: ActionSpec, answer: Answer, params: Record<string, string> = {}): unknown {
  const action = spec.name;
  if (EMPTY_AS_ZERO.has(spec.answer) && Object.keys(spec.params).length === 0 && isZeroAnswer(spec, answer)) return [];
  switch (spec.answer) {
    case 'binary':
    case 'stream':
      return binary(spec, answer);
    case 'boolean':
      return p.parseBoolean(action, answer.body.toString('utf8'));
    case 'name':
      return p.parseName(action, answer.body.toString('utf8'));
    case 'loose':
      return p.parseLoose(action, answer.body.toString('utf8'));
    case 'channels':
      return p.parseChannels(action, answer.body.toString('utf8'));
    case 'status':
      return p.parseStatusMap(action, answer.body.toString('utf8'), params.filter);
    case 'recordings':
      return p.parseList(action, answer.body.toString('utf8'));
    case 'queues':
      return p.parseQueues(action, answer.body.toString('utf8'));
    case 'agents':
      return p.parseAgents(action, answer.body.toString('utf8'));
    case 'relays':
      return p.parseRelays(action, answer.body.toString('utf8'));
    case 'cameras':
      return p.parseCameras(action, answer.body.toString('utf8'));
    case 'number':
      return p.parseNumber(action, answer.body.toString('utf8'));
    case 'auto':
      return parseAuto(spec, answer);
  }
}

/** An action this package does not know: 1/0 as boolean, text as lines, anything else as data. */
function parseAuto(spec: ActionSpec, answer: Answer): unknown {
  const type = answer.contentType.toLowerCase();
  if (type && !type.startsWith('text/') && sniff(answer.body) !== 'application/octet-stream') return binary(spec, answer);
  const text = answer.body.toString('utf8');
  const trimmed = text.trim();
  if (trimmed === '1') return true;
  if (trimmed === '0') throw new ActionFailedError(spec.name);
  if (type.startsWith('text/html')) throw new BadResponseError(spec.name, 'an HTML page');
  const all = p.lines(text);
  if (all.length > 0 && all.every((l) => l.split('!').length >= 13)) return p.parseChannels(spec.name, text);
  return all;
}
