// The snapshot node's picture history: which camera, how long, and which moment a message asks for.
import type { Node, NodeAPI } from 'node-red';
import { InvalidInputError } from '../../../client';
import type { NodeDefinition } from '../../glue/properties';
import { HISTORY_MAX_SECONDS } from './hub';

/** A buffered frame further than this from msg.at is not "the picture from that moment". */
export const PICTURE_TOLERANCE_MS = 1000;

const ID = /^[A-Za-z0-9_-]{1,32}$/;

/** `history` from the dialog: seconds, 0 (off) to 60. */
export function historySeconds(value: unknown): number {
  const n = Number(value);
  if (value === '' || value === null || value === undefined || !Number.isFinite(n) || n <= 0) return 0;
  return Math.min(HISTORY_MAX_SECONDS, n);
}

/** The camera whose frames the history keeps: the node's fixed camera (or env variable), else null. */
export function historyCamera(RED: NodeAPI, node: Node, def: NodeDefinition): string | null {
  const type = typeof def.cameraType === 'string' && def.cameraType !== '' ? def.cameraType : 'str';
  if (type !== 'str' && type !== 'num' && type !== 'env') return null;
  let value: unknown;
  try {
    // str resolves ${ENV} references, env a variable of the flow, group or process
    value = RED.util.evaluateNodeProperty(String(def.camera ?? ''), type, node, {});
  } catch {
    return null;
  }
  const id = String(value ?? '').trim();
  return ID.test(id) ? id : null;
}

/** msg.at as epoch ms: a number, a numeric string, an ISO time or a Date; undefined when not set. */
export function pictureTime(at: unknown): number | undefined {
  if (at === undefined || at === null || at === '') return undefined;
  let ms = Number.NaN;
  if (typeof at === 'number') ms = at;
  else if (at instanceof Date) ms = at.getTime();
  else if (typeof at === 'string') ms = /^\d+(\.\d+)?$/.test(at.trim()) ? Number(at) : Date.parse(at);
  if (!Number.isFinite(ms) || ms <= 0) throw new InvalidInputError('vmx_cam_get_pic', 'at', 'expected epoch milliseconds or an ISO time');
  return ms;
}
