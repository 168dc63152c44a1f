import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { InvalidInputError, validators } from '../client';
import { configNode, failed, MissingConfigError } from './glue/input';
import { resolveField, type NodeDefinition } from './glue/properties';
import { registerType } from './glue/register';
import { catalogueText, shortReason, StatusView, text } from './glue/status';
import type { FeedState } from './services/streams/hub';
import { FrameThrottle, framesPerSecond } from './services/streams/throttle';

const START = new Set<unknown>(['start', true, 'true']);
const STOP = new Set<unknown>(['stop', false, 'false']);

/** The status of a feed in `state` for `camera` (null: none chosen), with the reason of a reconnect. */
function feedStatus(RED: NodeAPI, state: FeedState, camera: string | null, err?: unknown): NodeStatus {
  const fill = state === 'streaming' ? 'green' : state === 'reconnecting' ? 'yellow' : 'grey';
  const shape = state === 'streaming' ? 'dot' : 'ring';
  const detail = state === 'reconnecting' && err !== undefined ? ` (${shortReason(err)})` : '';
  const label = catalogueText(RED, 'webtapi-cam-stream', state);
  return { fill, shape, text: `${label}${camera !== null && state !== 'stopped' ? ` ${camera}` : ''}${detail}` };
}

/** The command a message carries: start, stop, or null for anything else. */
function command(msg: NodeMessageInFlow): 'start' | 'stop' | null {
  const value = typeof msg.payload === 'string' ? msg.payload.trim().toLowerCase() : msg.payload;
  return STOP.has(value) ? 'stop' : START.has(value) ? 'start' : null;
}

/** One camera-stream node: frames of the chosen camera from the config node's stream hub, throttled. */
function camStream(RED: NodeAPI, node: Node, def: NodeDefinition): void {
  const server = configNode(RED, def);
  const view = new StatusView(RED, node);
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
  const throttle = new FrameThrottle(1000 / framesPerSecond(def.fps), send);
  const show = (state: FeedState, err?: unknown) => {
    if (!closed) node.status(feedStatus(RED, state, camera, err));
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

  if (!server) node.status({ fill: 'red', shape: 'ring', text: text(RED, 'noServer') });
  else show('stopped');

  node.on('input', (msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => {
    const fail = (err: unknown) => failed(view, msg, err, done);
    const what = command(msg);
    if (what === 'stop') {
      camera = null;
      throttle.reset();
      server?.streams.deregister(node);
      show('stopped');
      done();
    } else if (what === 'start') start(msg).then(() => done(), fail);
    else fail(new InvalidInputError('input', 'payload', 'expected start or stop (or true / false)'));
  });

  if (def.autoStart === true || def.autoStart === 'true') start({}).catch((err: unknown) => node.error(err));

  node.on('close', (_removed: boolean, done: () => void) => {
    closed = true;
    camera = null;
    throttle.reset();
    node.status({});
    if (server) server.streams.deregister(node, done);
    else done();
  });
}

export = (RED: NodeAPI) => {
  registerType<Node>(RED, 'webtapi-cam-stream', function (this: Node, def: NodeDefinition) {
    camStream(RED, this, def);
  });
};
