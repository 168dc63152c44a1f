import type { AnswerResult } from './answer';
import type { Params, RequestOptions, Requester } from './types';
import { Validator, validators as v } from './validate';

/**
 * The 30 documented actions: their parameters, how their answer reads and whether they change
 * anything on the PBX. What the document does not give is marked "assumed" (see docs/protocol.md).
 */
export type AnswerKind =
  | 'boolean' // 1 / 0
  | 'name' // a name, or 0 (call_record_start)
  | 'loose' // 1, 0 or some text (undocumented camera actions)
  | 'channels' // Asterisk concise channel lines
  | 'callers' // a channel list; of a `queue show` answer, its callers
  | 'status' // call_status_get
  | 'recordings' // one file name a line
  | 'queues'
  | 'agents'
  | 'relays'
  | 'cameras'
  | 'number' // relay_status_get: the status itself; 0 is "off", not an error
  | 'binary' // an image or a recording
  | 'stream' // an MJPEG stream, read for a bounded time
  | 'auto'; // an action this package does not know

export interface ParamSpec {
  validate: Validator;
  required: boolean;
}

export interface ActionSpec {
  name: string;
  params: Record<string, ParamSpec>;
  answer: AnswerKind;
  /** Changes something on the PBX: never resent after the request may have reached it. */
  sideEffect: boolean;
}

const req = (validate: Validator): ParamSpec => ({ validate, required: true });
const opt = (validate: Validator): ParamSpec => ({ validate, required: false });

function spec<N extends string, A extends AnswerKind>(
  name: N,
  answer: A,
  sideEffect: boolean,
  params: Record<string, ParamSpec> = {},
): ActionSpec & { name: N; answer: A } {
  return { name, answer, sideEffect, params };
}

const list = [
  // Call management
  spec('call', 'boolean', true, { src: req(v.extension), dst: req(v.extension) }),
  spec('call_pick', 'boolean', true, { chan: req(v.channel), dst: req(v.extension) }),
  spec('call_hangup', 'boolean', true, { chan: req(v.channel) }),
  spec('call_prio', 'boolean', true, { dst: req(v.extension) }),
  spec('call_list', 'channels', false),
  spec('call_list_all', 'channels', false),
  spec('call_record_start', 'name', true, { chan: req(v.channel), monitor_file: opt(v.monitorFile) }),
  spec('call_record_stop', 'boolean', true, { chan: req(v.channel) }),
  spec('call_record_list', 'recordings', false),
  spec('call_record_get', 'binary', false, { monitor_file: req(v.monitorFile) }),
  spec('call_status_get', 'status', false, { filter: opt(v.extensionList) }),
  spec('call_create_conf', 'boolean', true, { stations: req(v.extensionList), break: opt(v.flag) }),
  // Queue management
  spec('q_list', 'queues', false),
  spec('agent_list', 'agents', false, { q_name: req(v.queue) }),
  spec('agent_login', 'boolean', true, { q_name: req(v.queue), src: opt(v.extension) }),
  spec('agent_logout', 'boolean', true, { q_name: req(v.queue), src: opt(v.extension) }),
  spec('q_call_list', 'channels', false, { q_name: req(v.queue) }),
  spec('q_waiting_list', 'callers', false, { q_name: req(v.queue) }),
  // assumed: the document names these two without parameters
  spec('q_shift_caller', 'boolean', true, { q_name: req(v.queue), chan: req(v.channel), position: opt(v.position) }),
  spec('q_caller_del', 'boolean', true, { q_name: req(v.queue), chan: req(v.channel) }),
  // VMPLEX cameras
  spec('vmx_cam_list', 'cameras', false),
  spec('vmx_cam_get_pic', 'binary', false, { CAMID: req(v.cameraId) }),
  // assumed: CAMID for the three undocumented camera actions
  spec('vmx_cam_get_stream', 'stream', false, { CAMID: req(v.cameraId) }),
  spec('vmx_cam_s_record', 'loose', true, { CAMID: req(v.cameraId) }),
  spec('vmx_cam_p_save', 'loose', true, { CAMID: req(v.cameraId) }),
  // Special channel management
  spec('chan_play_dtmf', 'boolean', true, { chan: req(v.channel), tone: req(v.dtmf) }),
  spec('chan_monitor', 'boolean', true, { chan: req(v.channel), dst: req(v.extension) }),
  // Relay control
  spec('relay_list', 'relays', false),
  spec('relay_status_get', 'number', false, { relay_id: req(v.relayId) }),
  spec('relay_status_set', 'boolean', true, { relay_id: req(v.relayId), status: req(v.relayStatus) }),
] as const;

type DocumentedAction = (typeof list)[number];
export type ActionName = DocumentedAction['name'];
/** The result of a documented action, as the table's answer kind reads it. */
export type ActionResult<N extends ActionName> = AnswerResult<Extract<DocumentedAction, { name: N }>['answer']>;

export const ACTIONS: ReadonlyMap<string, ActionSpec> = new Map(list.map((s): [string, ActionSpec] => [s.name, s]));

export const ACTION_NAMES: readonly string[] = list.map((s) => s.name);

/** An action the document does not list (a firmware's addition): treated as having a side effect. */
export function unknownAction(name: string): ActionSpec {
  return { name, answer: 'auto', sideEffect: true, params: {} };
}

/** The actions of one area (client.calls, client.cameras, ...): each method is one documented action. */
export abstract class ActionArea {
  constructor(private readonly r: Requester) {}

  /** A documented action, its result typed by the table (parseAnswer() reads the answer by the same kind). */
  protected ask<N extends ActionName>(action: N, params: Params, o?: RequestOptions): Promise<ActionResult<N>> {
    return this.r.request(action, params, o) as Promise<ActionResult<N>>;
  }
}
