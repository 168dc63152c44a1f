'use strict';
// `npm start -- --pbx-url URL`: the examples are written for the simulator (door station 1009,
// relay 17, flat 1001...). Against a real PBX those ids may be a real door and real phones, so the
// examples arrive with every node that changes something at the PBX disabled (`d: true`): no door
// opens and no call is placed until the user has checked the ids and enabled the node. What only
// reads (the call monitor, the presence board, the cameras) keeps running.
const SIDE_EFFECT_TYPES = new Set([
  'webtapi-relay-set',
  'webtapi-call',
  'webtapi-hangup',
  'webtapi-queue-agent',
  // Sends any action, side effects included.
  'webtapi-request',
]);
const NOTE_PREFIX = 'demo-pbx-safe-';

function note(tab, x, count) {
  return {
    id: `${NOTE_PREFIX}${tab}`,
    type: 'comment',
    z: tab,
    name: `Disabled against the real PBX: ${count} node(s) that open doors or place calls`,
    info: [
      'The demo was started with `--pbx-url`: this example runs against your PBX, not the simulator.',
      'Its nodes that change something at the PBX (relays, calls, hang-ups, queue log-ins, requests) were deployed disabled,',
      'so no door opens and no phone rings by accident.',
      '',
      "**To enable them:** check the relay, extension and camera ids in each disabled node (they are the simulator's),",
      "open the node's dialog, switch it to *Enabled* (the toggle at the bottom left of the dialog), then deploy.",
      'Protect the editor first (`adminAuth` in settings.js, see docs/security.md): the demo has no login.',
    ].join('\n'),
    x,
    y: 20,
    wires: [],
  };
}

/**
 * Disables (in place) the side-effect nodes of `flows` and adds one comment per tab that had any.
 * Answers the labels of the tabs changed, for the console.
 */
function disableSideEffects(flows) {
  const byTab = new Map();
  for (const n of flows) {
    if (!n || !SIDE_EFFECT_TYPES.has(n.type) || n.z === undefined) continue;
    n.d = true;
    byTab.set(n.z, (byTab.get(n.z) || 0) + 1);
  }
  const labels = [];
  for (const [tab, count] of byTab) {
    const right = Math.max(0, ...flows.filter((n) => n && n.z === tab && typeof n.x === 'number').map((n) => n.x));
    flows.push(note(tab, right + 320, count));
    const t = flows.find((n) => n && n.id === tab && n.type === 'tab');
    labels.push(t ? t.label : tab);
  }
  return labels;
}

module.exports = { SIDE_EFFECT_TYPES, disableSideEffects };
