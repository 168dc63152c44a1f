import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from 'node-red';
import { InvalidInputError, validators } from '../client';
import { configNode, MissingConfigError } from './glue/input';
import { resolveField, type NodeDefinition } from './glue/properties';
import { registerType } from './glue/register';
import { shortReason, text } from './glue/status';
import type { FeedState } from './services/streams/hub';
import { FrameThrottle, framesPerSecond } from './services/streams/throttle';

const NS = 'node-red-contrib-metasec-webtapi/webtapi-cam-stream:webtapi-cam-stream.status.';
const FALLBACK: Record<string, string> = { streaming: 'streaming', reconnecting: 'reconnecting', stopped: 'stopped' };
const START = new Set<unknown>(['start', true, 'true']);
const STOP = new Set<unknown>(['stop', false, 'false']);

export = (RED: NodeAPI) => {
  function label(key: FeedState): string {
    try {
      const t = RED._(NS + key);
      return t && !t.endsWith(key) ? t : FALLBACK[key];
    } catch {
      return FALLBACK[key];
    }
  }

  registerType<Node>(RED, 'webtapi-cam-stream', function (this: Node, def: NodeDefinition) {
    const node = this;
    const server = configNode(RED, def);
    const fps = framesPerSecond(def.fps);
    const output = def.output === 'dataurl' ? 'dataurl' : 'buffer';
    let camera: string | null = null;
    let frame = 0;
    let closed = false;

    const send = (data: Buffer, at: number) => {
      if (closed || camera === null) return;
      frame++;
      const payload = output === 'dataurl' ? `data:image/jpeg;base64,${data.toString('base64')}` : data;
      node.send({ payload, contentType: 'image/jpeg', camera, frame, timestamp: at } as NodeMessage);
    };
    const throttle = new FrameThrottle(1000 / fps, send);

    const show = (state: FeedState, err?: unknown) => {
      if (closed) return;
      const fill = state === 'streaming' ? 'green' : state === 'reconnecting' ? 'yellow' : 'grey';
      const shape = state === 'streaming' ? 'dot' : 'ring';
      const detail = state === 'reconnecting' && err !== undefined ? ` (${shortReason(err)})` : '';
      node.status({ fill, shape, text: `${label(state)}${camera !== null && state !== 'stopped' ? ` ${camera}` : ''}${detail}` });
    };

    const start = async (msg: NodeMessageInFlow | Record<string, unknown>) => {
      if (!server) throw new MissingConfigError();
      // msg.camera (or msg.payload.camera), else the node's camera property
      const value = await resolveField(RED, node, def, msg as NodeMessage, 'camera');
      const id = validators.cameraId('vmx_cam_get_stream', 'camera', value);
      if (closed || id === camera) return;
      throttle.reset();
      camera = id;
      frame = 0;
      server.streams.register(node, id, { frame: (data, at) => throttle.offer(data, at), state: show });
    };

    const stop = () => {
      camera = null;
      throttle.reset();
      server?.streams.deregister(node);
      show('stopped');
    };

    if (!server) node.status({ fill: 'red', shape: 'ring', text: text(RED, 'noServer') });
    else show('stopped');

    node.on('input', (msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => {
      const command = typeof msg.payload === 'string' ? msg.payload.trim().toLowerCase() : msg.payload;
      if (STOP.has(command)) {
        stop();
        done();
      } else if (START.has(command)) {
        start(msg).then(() => done(), (err: unknown) => {
          const code = (err as { code?: unknown })?.code;
          if (typeof code === 'string') (msg as NodeMessageInFlow & Record<string, unknown>).webtapi = { action: 'vmx_cam_get_stream', code };
          done(err instanceof Error ? err : new Error(String(err)));
        });
      } else {
        done(new InvalidInputError('input', 'payload', 'expected start or stop (or true / false)'));
      }
    });

    if (def.autoStart === true || def.autoStart === 'true') {
      start({}).catch((err: unknown) => node.error(err));
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      camera = null;
      throttle.reset();
      node.status({});
      if (server) server.streams.deregister(node, done);
      else done();
    });
  });
};
