import type { ActionSpec, AnswerKind } from './actions';
import { ActionFailedError, BadResponseError } from './errors';
import { lines, preview } from './answer-text';
import * as p from './parsers';
import { Answer } from './transport';

const EMPTY_AS_ZERO = new Set(['channels', 'recordings', 'queues', 'relays', 'cameras']);

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

/** Bytes that are data (a picture, a recording, a stream), never text to read, split or scrub. */
export function isDataAnswer(spec: ActionSpec, answer: Answer): boolean {
  if (spec.answer === 'binary' || spec.answer === 'stream') return true;
  if (spec.answer !== 'auto') return false;
  const type = answer.contentType.toLowerCase();
  return type !== '' && !type.startsWith('text/') && sniff(answer.body) !== 'application/octet-stream';
}

const text = (answer: Answer): string => answer.body.toString('utf8');

/** How each kind of answer is read; the result types of the actions derive from it (actions.ts). */
const PARSERS = {
  binary: (spec: ActionSpec, answer: Answer) => binary(spec, answer),
  stream: (spec: ActionSpec, answer: Answer) => binary(spec, answer),
  boolean: (spec: ActionSpec, answer: Answer) => p.parseBoolean(spec.name, text(answer)),
  name: (spec: ActionSpec, answer: Answer) => p.parseName(spec.name, text(answer)),
  loose: (spec: ActionSpec, answer: Answer) => parseLoose(spec.name, text(answer)),
  channels: (spec: ActionSpec, answer: Answer) => p.parseChannels(spec.name, text(answer)),
  callers: (spec: ActionSpec, answer: Answer) => p.parseCallers(spec.name, text(answer)),
  status: (spec: ActionSpec, answer: Answer, params: Record<string, string>) => p.parseStatusMap(spec.name, text(answer), params.filter),
  recordings: (spec: ActionSpec, answer: Answer) => p.parseList(spec.name, text(answer)),
  queues: (spec: ActionSpec, answer: Answer) => p.parseQueues(spec.name, text(answer)),
  agents: (spec: ActionSpec, answer: Answer) => p.parseAgents(spec.name, text(answer)),
  relays: (spec: ActionSpec, answer: Answer) => p.parseRelays(spec.name, text(answer)),
  cameras: (spec: ActionSpec, answer: Answer) => p.parseCameras(spec.name, text(answer)),
  number: (spec: ActionSpec, answer: Answer) => p.parseNumber(spec.name, text(answer)),
  auto: (spec: ActionSpec, answer: Answer): unknown => parseAuto(spec, answer),
} satisfies Record<AnswerKind, (spec: ActionSpec, answer: Answer, params: Record<string, string>) => unknown>;

/** The result of an answer of kind K. */
export type AnswerResult<K extends AnswerKind> = ReturnType<(typeof PARSERS)[K]>;

/**
 * Turns an answer into the action's result. It is only called with a bare `0` once the session is
 * known to be valid, so there `0` is the PBX's own word: an error, or for a list without
 * parameters (where nothing can be wrong) an empty list, as some PBXs answer it.
 */
export function parseAnswer(spec: ActionSpec, answer: Answer, params: Record<string, string> = {}): unknown {
  if (EMPTY_AS_ZERO.has(spec.answer) && Object.keys(spec.params).length === 0 && isZeroAnswer(spec, answer)) return [];
  return PARSERS[spec.answer](spec, answer, params);
}

/** An answer whose format the document does not give: `1` → true, `0` → error, other text as is. */
function parseLoose(action: string, text: string): true | string {
  const answer = text.trim();
  if (answer === '1') return true;
  if (answer === '0') throw new ActionFailedError(action);
  if (answer === '' || /<\/?[a-z][^>]*>/i.test(answer)) throw new BadResponseError(action, `got ${preview(answer)}`);
  return answer;
}

/** An action this package does not know: 1/0 as boolean, text as lines, anything else as data. */
function parseAuto(spec: ActionSpec, answer: Answer): unknown {
  if (isDataAnswer(spec, answer)) return binary(spec, answer);
  const type = answer.contentType.toLowerCase();
  const text = answer.body.toString('utf8');
  const trimmed = text.trim();
  if (trimmed === '1') return true;
  if (trimmed === '0') throw new ActionFailedError(spec.name);
  if (type.startsWith('text/html')) throw new BadResponseError(spec.name, 'an HTML page');
  const all = lines(text);
  if (all.length > 0 && all.every((l) => l.split('!').length >= 13)) return p.parseChannels(spec.name, text);
  return all;
}
