import type { Node, NodeAPI } from 'node-red';
import type { BinaryAnswer } from '../client';
import { audited } from './shared/audit';
import { choice } from './shared/choice';
import { wireInput } from './shared/input';
import { snapshotFilename } from './shared/filename';
import { NodeDefinition, resolveFields } from './shared/properties';

const FIELDS = ['camera', 'operation', 'output'] as const;
const ACTION = { picture: 'vmx_cam_get_pic', save: 'vmx_cam_p_save', record: 'vmx_cam_s_record', list: 'vmx_cam_list' } as const;
const OPERATIONS = Object.keys(ACTION) as Array<keyof typeof ACTION>;
const OUTPUTS = ['buffer', 'dataurl'] as const;
export = (RED: NodeAPI) => {
  function WebTapiCamSnapshot(this: Node, def: NodeDefinition) {
    RED.nodes.createNode(this, def as never);
    const node = this;
    wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const f = await resolveFields(RED, node, def, msg, FIELDS, 'camera');
      const operation = choice(f.operation, 'camera', 'operation', OPERATIONS, 'picture');
      const output = choice(f.output, 'camera', 'output', OUTPUTS, 'buffer');
      const action = ACTION[operation];
      const params = operation === 'list' ? {} : { CAMID: f.camera };
      status.busy(action);
      // Saving a picture and starting a recording change the PBX: they go into the audit trail.
      const sideEffect = operation === 'save' || operation === 'record';
      const ex = sideEffect ? await audited(node, client, action, params, { signal }) : await client.execute(action, params, { signal });
      if (operation !== 'picture') return { payload: ex.result, action, params: ex.params };
      const pic = ex.result as BinaryAnswer;
      const filename = snapshotFilename(ex.params.CAMID, pic.contentType);
      const payload = output === 'dataurl' ? `data:${pic.contentType.split(';')[0]};base64,${pic.data.toString('base64')}` : pic.data;
      return { payload, action, params: ex.params, extra: { contentType: pic.contentType, filename }, label: `camera ${ex.params.CAMID}` };
    });
  }
  RED.nodes.registerType('webtapi-cam-snapshot', WebTapiCamSnapshot as never);
};
