import type { Node } from 'node-red';

/**
 * One info line per call or relay action, so an installer can answer "who opened the door at
 * 02:13": node id, action and target, never a secret.
 */
export function audit(node: Node, action: string, params: Record<string, string>): void {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');
  node.log(`audit node=${node.id} action=${action}${parts ? ' ' + parts : ''}`);
}
