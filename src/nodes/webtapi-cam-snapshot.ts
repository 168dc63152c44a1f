import type { Node, NodeAPI } from 'node-red';
import { BinaryAnswer, InvalidInputError } from '../client';
import { audit } from './shared/audit';
import { wireInput } from './shared/input';
import { snapshotFilename } from './shared/filename';
import { NodeDefinition, resolveFields } from './shared/properties';

const FIELDS = ['camera', 'operation', 'output'] as const;
const ACTION: Record<string, string> = { picture: 'vmx_cam_get_pic', save: 'vmx_cam_p_save', record: 'vmx_cam_s_record', list: 'vmx_cam_list' };
export = (RED: NodeAPI) => {
  function WebTapiCamSnapshot(this: Node, def: NodeDefinition) {
    RED.nodes.createNode(this, def as never);
    const node = this;
    wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const f = await resolveFields(RED, node, def, msg, FIELDS, 'camera');
      const operation = String(f.operation || 'picture');
      const action = ACTION[operation];
      if (!action) throw new InvalidInputError('camera', 'operation', `"${operation.slice(0, 20)}" is not picture, save, record or list`);
      const params = operation === 'list' ? {} : { CAMID: f.camera };
      status.busy(action);
      const ex = await client.execute(action, params, { signal });
      if (operation !== 'picture') {
        if (operation !== 'list') audit(node, action, ex.params);
        return { payload: ex.result, action, params: ex.params };
      }
      const pic = ex.result as BinaryAnswer;
      const filename = snapshotFilename(ex.params.CAMID, pic.contentType);
      const payload = f.output === 'dataurl' ? `data:${pic.contentType.split(';')[0]};base64,${pic.data.toString('base64')}` : pic.data;
      return { payload, action, params: ex.params, extra: { contentType: pic.contentType, filename }, label: `camera ${ex.params.CAMID}` };
    });
  }
  RED.nodes.registerType('webtapi-cam-snapshot', WebTapiCamSnapshot as never);
};
