import type { Node, NodeAPI, NodeCredentials, NodeDef } from 'node-red';
import type { NodeDefinition } from './properties';

/**
 * Registers a node type: Node-RED's createNode() first, then `init` with the node as `this` and
 * its definition as stored by the editor.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the constraint of @types/node-red's Node<TCreds extends {} = {}>
export function registerType<N extends Node<C>, C extends {} = {}>(
  RED: NodeAPI,
  type: string,
  init: (this: N, def: NodeDefinition) => void,
  options?: { credentials?: NodeCredentials<C> },
): void {
  RED.nodes.registerType<N, NodeDef & NodeDefinition, unknown, C>(
    type,
    function (this: N, def: NodeDef & NodeDefinition) {
      RED.nodes.createNode(this, def);
      init.call(this, def);
    },
    options,
  );
}
