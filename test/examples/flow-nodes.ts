// The node modules an example flow needs, found as Node-RED's own runtime finds them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeAPI } from 'node-red';
import { NODES } from '../nodes/harness';

export type FlowNode = Record<string, any> & { id: string; type: string };
export type NodeModule = (RED: NodeAPI) => void;

// Core nodes the examples may use, resolved from the installed Node-RED (as its own runtime does).
export const CORE: Record<string, string> = {
  inject: 'common/20-inject.js',
  debug: 'common/21-debug.js',
  catch: 'common/25-catch.js',
  comment: 'common/90-comment.js',
  switch: 'function/10-switch.js',
  change: 'function/15-change.js',
  function: 'function/10-function.js',
  template: 'function/80-template.js',
  status: 'common/25-status.js',
  rbe: 'function/rbe.js',
  'mqtt in': 'network/10-mqtt.js',
  'mqtt out': 'network/10-mqtt.js',
  'mqtt-broker': 'network/10-mqtt.js',
  'http in': 'network/21-httpin.js',
  'http response': 'network/21-httpin.js',
};

// Dashboard 2.0 (a dev dependency): the node types the door-station example uses, from its package.
const DASHBOARD_DIR = path.dirname(require.resolve('@flowfuse/node-red-dashboard/package.json'));
export const DASHBOARD = (
  JSON.parse(fs.readFileSync(path.join(DASHBOARD_DIR, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } }
)['node-red'].nodes;
const dashboardNode = (type: string): NodeModule => require(path.join(DASHBOARD_DIR, DASHBOARD[type])) as NodeModule;
const core = (file: string): NodeModule =>
  require(require.resolve(`@node-red/nodes/core/${file}`, { paths: [require.resolve('node-red')] })) as NodeModule;

/** The harness's modules and those of every type in `nodes`: ours (dist/nodes), Node-RED's core nodes, Dashboard 2.0. */
export function flowModules(nodes: FlowNode[]): NodeModule[] {
  const types = new Set(nodes.map((n) => n.type));
  // A Set: a node module the harness already lists is the same (cached) function.
  const modules = new Set<NodeModule>([...NODES]);
  for (const t of types) if (t.startsWith('webtapi-')) modules.add(require(`../../dist/nodes/${t}.js`) as NodeModule);
  for (const file of new Set([...types].map((t) => CORE[t]).filter(Boolean))) modules.add(core(file));
  for (const t of types) if (DASHBOARD[t]) modules.add(dashboardNode(t));
  return [...modules];
}
