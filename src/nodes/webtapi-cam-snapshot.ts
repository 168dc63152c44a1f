import type { Node, NodeAPI } from 'node-red';
import { InvalidInputError, validators, type BinaryAnswer } from '../client';
import { audited } from './glue/audit';
import { choice } from './glue/choice';
import { configNode, wireInput } from './glue/input';
import { snapshotFilename } from './cam-snapshot/filename';
import { historyCamera, historySeconds, pictureTime, PICTURE_TOLERANCE_MS } from './services/streams/history';
import { registerType } from './glue/register';
import { NodeDefinition, resolveFields } from './glue/properties';

const FIELDS = ['camera', 'operation', 'output'] as const;
const ACTION = { picture: 'vmx_cam_get_pic', save: 'vmx_cam_p_save', record: 'vmx_cam_s_record', list: 'vmx_cam_list' } as const;
const OPERATIONS = Object.keys(ACTION) as Array<keyof typeof ACTION>;
const OUTPUTS = ['buffer', 'dataurl'] as const;

function encode(data: Buffer, contentType: string, output: string): Buffer | string {
  return output === 'dataurl' ? `data:${contentType.split(';')[0]};base64,${data.toString('base64')}` : data;
}

export = (RED: NodeAPI) => {
  registerType<Node>(RED, 'webtapi-cam-snapshot', function (this: Node, def: NodeDefinition) {
    const node = this;
    const history = historySeconds(def.history);
    const server = configNode(RED, def);
    wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const f = await resolveFields(RED, node, def, msg, FIELDS, 'camera');
      const operation = choice(f.operation, 'camera', 'operation', OPERATIONS, 'picture');
      const output = choice(f.output, 'camera', 'output', OUTPUTS, 'buffer');
      const action = ACTION[operation];
      const params = operation === 'list' ? {} : { CAMID: f.camera };
      const at = operation === 'picture' && history > 0 ? pictureTime((msg as { at?: unknown }).at) : undefined;
      if (at !== undefined) {
        const camera = validators.cameraId(action, 'CAMID', f.camera);
        const buffered = server?.streams.frameAt(camera, at, PICTURE_TOLERANCE_MS);
        if (buffered) {
          return {
            payload: encode(buffered.data, 'image/jpeg', output),
            action: 'vmx_cam_get_stream',
            params: { CAMID: camera },
            extra: {
              contentType: 'image/jpeg',
              filename: snapshotFilename(camera, 'image/jpeg', new Date(buffered.at)),
              frameAt: buffered.at,
            },
            label: `camera ${camera}`,
          };
        }
      }
      status.busy(action);
      // Saving a picture and starting a recording change the PBX: they go into the audit trail.
      const sideEffect = operation === 'save' || operation === 'record';
      const ex = sideEffect
        ? await audited(node, msg, client, action, params, { signal })
        : await client.execute(action, params, { signal });
      if (operation !== 'picture') return { payload: ex.result, action, params: ex.params };
      const pic = ex.result as BinaryAnswer;
      const filename = snapshotFilename(ex.params.CAMID, pic.contentType);
      // With msg.at and nothing buffered near it, frameAt tells the flow the picture is from now.
      const extra: Record<string, unknown> = { contentType: pic.contentType, filename };
      if (at !== undefined) extra.frameAt = Date.now();
      return { payload: encode(pic.data, pic.contentType, output), action, params: ex.params, extra, label: `camera ${ex.params.CAMID}` };
    });
    // The history is fed while the node is deployed, for its fixed camera.
    const camera = history > 0 ? historyCamera(RED, node, def) : null;
    if (server && camera) {
      server.streams.register(node, camera, { historySeconds: history });
      node.on('close', (_removed: boolean, done: () => void) => server.streams.deregister(node, done));
    } else if (history > 0 && !camera) {
      node.warn(new InvalidInputError('input', 'camera', 'history needs a fixed camera id (or an env variable)').message);
    }
  });
};
