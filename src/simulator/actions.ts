// One handler per WebTAPI action (login excepted, see server.ts). A handler checks its
// parameters, changes the PBX model and says what to answer; a refused request answers '0'.
import { randomBytes } from 'node:crypto';
import type { CallControl } from './calls';
import { channelLine, lines } from './format';
import { cameraJpeg, recordingWav } from './media';
import type { SimConfig } from './options';
import type { SimChannel, SimQueue, SimState } from './state';
import type { Answer } from './types';

export interface ActionContext {
  /** The logged-in user (its own extension). */
  readonly user: string;
  readonly state: SimState;
  readonly calls: CallControl;
  readonly config: SimConfig;
  /** Record that the action's side effect happened. */
  done(): void;
}

export type Params = ReadonlyMap<string, string>;
type Handler = (ctx: ActionContext, p: Params) => Answer;

const text = (body: string): Answer => ({ kind: 'text', body });
const ZERO = text('0');
const ONE = text('1');
const MONITOR_FILE = /^[A-Za-z0-9_.-]{1,128}$/;
const TONES = /^[0-9*#A-Da-d]{1,64}$/;

function arg(p: Params, name: string): string | undefined {
  const v = p.get(name);
  return v === undefined || v === '' ? undefined : v;
}

function ext(ctx: ActionContext, p: Params, name: string): string | undefined {
  const v = arg(p, name);
  return v !== undefined && ctx.state.extensions.has(v) ? v : undefined;
}

function chan(ctx: ActionContext, p: Params, name = 'chan'): SimChannel | undefined {
  const v = arg(p, name);
  return v === undefined ? undefined : ctx.state.channels.get(v);
}

function queue(ctx: ActionContext, p: Params): SimQueue | undefined {
  const v = arg(p, 'q_name');
  return v === undefined ? undefined : ctx.state.queues.get(v);
}

function commaList(v: string | undefined): string[] {
  return v === undefined
    ? []
    : [
        ...new Set(
          v
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        ),
      ];
}

/** Answer '1' and count the side effect when ok, '0' otherwise. */
function effect(ctx: ActionContext, ok: boolean): Answer {
  if (!ok) return ZERO;
  ctx.done();
  return ONE;
}

function channelList(ctx: ActionContext, chans: Iterable<SimChannel>): Answer {
  const now = Date.now();
  const out = [...chans].map((c) => channelLine(c, ctx.state, ctx.config.channelFields, now, ctx.config.bridgeField));
  return text(lines(out, ctx.config.lineEnding));
}

function list(ctx: ActionContext, items: string[]): Answer {
  return text(lines(items, ctx.config.lineEnding));
}

function monitorFile(given: string | undefined): string | undefined {
  if (given === undefined) return `${randomBytes(16).toString('hex')}_${Math.floor(Date.now() / 1000)}.wav`;
  if (!MONITOR_FILE.test(given) || given.includes('..')) return undefined;
  return /\.wav$/i.test(given) ? given : `${given}.wav`;
}

export const ACTIONS: Readonly<Record<string, Handler>> = {
  // --- call management
  call: (ctx, p) => {
    const src = ext(ctx, p, 'src');
    const dst = arg(p, 'dst');
    if (!src || dst === undefined) return ZERO;
    if (!ctx.state.extensions.has(dst) && !ctx.state.queueByExten(dst)) return ZERO;
    return effect(ctx, ctx.calls.call(src, dst));
  },
  call_pick: (ctx, p) => {
    const c = chan(ctx, p);
    const dst = ext(ctx, p, 'dst');
    return c && dst ? effect(ctx, ctx.calls.pick(c.name, dst)) : ZERO;
  },
  call_hangup: (ctx, p) => {
    const c = chan(ctx, p);
    return c ? effect(ctx, ctx.state.hangup(c.name)) : ZERO;
  },
  call_prio: (ctx, p) => {
    const dst = ext(ctx, p, 'dst');
    return dst ? effect(ctx, ctx.calls.prio(dst, ctx.user)) : ZERO;
  },
  call_list: (ctx) => channelList(ctx, ctx.state.channelsOf(ctx.user)),
  call_list_all: (ctx) => channelList(ctx, ctx.state.channels.values()),
  call_record_start: (ctx, p) => {
    const c = chan(ctx, p);
    const file = monitorFile(arg(p, 'monitor_file'));
    if (!c || !file || c.recording) return ZERO;
    const existing = ctx.state.recordings.get(file);
    if (existing && existing.stoppedAt === null) return ZERO; // another channel is recording into it
    ctx.state.recordings.set(file, { file, channel: c.name, startedAt: Date.now(), stoppedAt: null });
    c.recording = file;
    ctx.done();
    return text(file);
  },
  call_record_stop: (ctx, p) => {
    const c = chan(ctx, p);
    if (!c || !c.recording) return ZERO;
    ctx.state.stopRecording(c);
    return effect(ctx, true);
  },
  call_record_list: (ctx) => list(ctx, [...ctx.state.recordings.keys()]),
  call_record_get: (ctx, p) => {
    const name = arg(p, 'monitor_file');
    if (name === undefined) return ZERO;
    const rec = ctx.state.recordings.get(name) ?? ctx.state.recordings.get(`${name}.wav`);
    return rec ? { kind: 'binary', type: 'audio/wav', body: recordingWav(rec.file) } : ZERO;
  },
  call_status_get: (ctx, p) => {
    const filter = commaList(arg(p, 'filter'));
    const exts = filter.length > 0 ? filter : [...ctx.state.extensions.keys()];
    return list(
      ctx,
      exts.map((e) => `${e}${ctx.config.statusSeparator}${ctx.state.codeOf(e)}`),
    );
  },
  call_create_conf: (ctx, p) => {
    const stations = commaList(arg(p, 'stations'));
    if (stations.length === 0 || stations.some((s) => !ctx.state.extensions.has(s))) return ZERO;
    return effect(ctx, ctx.calls.conference(stations, (arg(p, 'break') ?? '').toLowerCase() === 'true'));
  },

  // --- queue management
  q_list: (ctx) => list(ctx, [...ctx.state.queues.keys()]),
  agent_list: (ctx, p) => {
    const q = queue(ctx, p);
    return q ? list(ctx, q.agents) : ZERO;
  },
  agent_login: (ctx, p) => {
    const q = queue(ctx, p);
    const agent = arg(p, 'src') === undefined ? ctx.user : ext(ctx, p, 'src');
    if (!q || !agent || !ctx.state.extensions.has(agent) || q.agents.includes(agent)) return ZERO;
    q.agents.push(agent);
    return effect(ctx, true);
  },
  agent_logout: (ctx, p) => {
    const q = queue(ctx, p);
    const agent = arg(p, 'src') ?? ctx.user;
    if (!q || !q.agents.includes(agent)) return ZERO;
    q.agents = q.agents.filter((a) => a !== agent);
    return effect(ctx, true);
  },
  q_call_list: (ctx, p) => {
    const q = queue(ctx, p);
    return q
      ? channelList(
          ctx,
          [...ctx.state.channels.values()].filter((c) => c.queue === q.name),
        )
      : ZERO;
  },
  q_waiting_list: (ctx, p) => {
    const q = queue(ctx, p);
    if (!q) return ZERO;
    return channelList(
      ctx,
      q.waiting.map((n) => ctx.state.channels.get(n)).filter((c): c is SimChannel => c !== undefined),
    );
  },
  q_shift_caller: (ctx, p) => {
    const q = queue(ctx, p);
    const name = arg(p, 'chan');
    const pos = arg(p, 'position');
    const from = q && name !== undefined ? q.waiting.indexOf(name) : -1;
    if (!q || from < 0) return ZERO;
    let to: number;
    if (pos === undefined) {
      if (from === 0) return ZERO; // already first
      to = from - 1;
    } else {
      if (!/^[0-9]{1,6}$/.test(pos) || Number(pos) < 1) return ZERO;
      to = Math.min(Number(pos), q.waiting.length) - 1;
    }
    q.waiting.splice(from, 1);
    q.waiting.splice(to, 0, name as string);
    return effect(ctx, true);
  },
  q_caller_del: (ctx, p) => {
    const q = queue(ctx, p);
    const name = arg(p, 'chan');
    if (!q || name === undefined || !q.waiting.includes(name)) return ZERO;
    return effect(ctx, ctx.state.removeChannel(name));
  },

  // --- VMPLEX (cameras)
  vmx_cam_list: (ctx) =>
    list(
      ctx,
      [...ctx.state.cameras.values()].map((c) => `${c.id};${c.name}`),
    ),
  vmx_cam_get_pic: (ctx, p) => {
    const cam = ctx.state.cameras.get(arg(p, 'CAMID') ?? '');
    if (!cam) return ZERO;
    const body = cameraJpeg(cam.id, cam.name, ++cam.frames, cam.recording, ctx.config.imageBytes);
    return { kind: 'binary', type: 'image/jpeg', body };
  },
  vmx_cam_get_stream: (ctx, p) => {
    const cam = ctx.state.cameras.get(arg(p, 'CAMID') ?? '');
    return cam ? { kind: 'stream', camera: cam.id } : ZERO;
  },
  vmx_cam_s_record: (ctx, p) => {
    const cam = ctx.state.cameras.get(arg(p, 'CAMID') ?? '');
    if (!cam) return ZERO;
    cam.recording = true;
    cam.recordStarts++;
    return effect(ctx, true);
  },
  vmx_cam_p_save: (ctx, p) => {
    const cam = ctx.state.cameras.get(arg(p, 'CAMID') ?? '');
    if (!cam) return ZERO;
    cam.savedPictures.push(`cam${cam.id}_${Math.floor(Date.now() / 1000)}_${cam.savedPictures.length + 1}.jpg`);
    return effect(ctx, true);
  },

  // --- special channel management
  chan_play_dtmf: (ctx, p) => {
    const c = chan(ctx, p);
    const tone = arg(p, 'tone');
    if (!c || tone === undefined || !TONES.test(tone)) return ZERO;
    c.dtmf += tone.toUpperCase();
    return effect(ctx, true);
  },
  chan_monitor: (ctx, p) => {
    const c = chan(ctx, p);
    const dst = ext(ctx, p, 'dst');
    return c && dst ? effect(ctx, ctx.calls.monitor(c.name, dst)) : ZERO;
  },

  // --- relay control
  relay_list: (ctx) =>
    list(
      ctx,
      [...ctx.state.relays.values()].map((r) => `${r.id};${r.name};${r.status}`),
    ),
  relay_status_get: (ctx, p) => {
    const r = ctx.state.relays.get(arg(p, 'relay_id') ?? '');
    return r ? text(String(r.status)) : ZERO;
  },
  relay_status_set: (ctx, p) => {
    const r = ctx.state.relays.get(arg(p, 'relay_id') ?? '');
    const status = arg(p, 'status');
    if (!r || status === undefined || !/^[0-9]{1,3}$/.test(status) || Number(status) > 255) return ZERO;
    r.status = Number(status);
    r.sets++;
    return effect(ctx, true);
  },
};

/** Every action name the simulator answers, login included. */
export const ACTION_NAMES: readonly string[] = ['login', ...Object.keys(ACTIONS)];
