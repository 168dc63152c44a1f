import type { NodeAPI } from 'node-red';
import { InvalidInputError, isWebTapiError, validators } from '../client';
import { audited } from './glue/audit';
import { wireInput } from './glue/input';
import { NodeDefinition, resolveField } from './glue/properties';
import { registerType } from './glue/register';

export = (RED: NodeAPI) => {
  registerType(RED, 'webtapi-hangup', function (def: NodeDefinition) {
    const node = this;
    wireInput(RED, node, def, async (msg, { client, signal, status }) => {
      const raw = await resolveField(RED, node, def, msg, 'target', true);
      const target = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : raw;
      if (typeof target !== 'string' || target === '')
        throw new InvalidInputError('call_hangup', 'target', 'give a channel (SIP/1004-00000010) or an extension (1004)');
      let channels: string[];
      if (target.includes('/')) {
        channels = [target];
      } else {
        status.busy('call_list_all');
        const extension = validators.extension('call_hangup', 'target', target);
        channels = (await client.calls.listAll({ signal })).flatMap((c) => (c.extension === extension && c.channel ? [c.channel] : []));
      }
      const hungUp: string[] = [];
      let lastParams: Record<string, string> = { chan: target };
      let firstError: unknown = null;
      for (const chan of channels) {
        status.busy('call_hangup');
        try {
          const ex = await audited(node, msg, client, 'call_hangup', { chan }, { signal });
          hungUp.push(chan);
          lastParams = ex.params;
        } catch (err) {
          // The PBX refusing one channel does not stop the others; a transport failure does.
          firstError ??= err;
          if (!isWebTapiError(err) || err.code !== 'WEBTAPI_ACTION_FAILED') break;
        }
      }
      if (firstError) throw firstError;
      return { payload: hungUp, action: 'call_hangup', params: lastParams, label: `hung up ${hungUp.length}` };
    });
  });
};
