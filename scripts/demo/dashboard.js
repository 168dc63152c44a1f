'use strict';
// Demo-only parts of the example flows: the door-station panel (example 06) gets a "Ring the
// doorbell" button that makes the simulator's door station call a flat (its control API, /sim/),
// and the visitor hangs up 10 s later; the Home Assistant example (07) publishes to the demo's
// own broker. Applied on every start: the simulator's and the broker's ports change between runs.
const DOOR_GROUP = 'ex6-g-door';
const EXAMPLE_BROKER = 'ex7-broker';
const FLAT = '1003';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The simulator's control API base (http://host:port/sim/) for its WebTAPI URL. */
function controlBase(simUrl) {
  const u = new URL(simUrl);
  return `${u.protocol}//${u.host}/sim/`;
}

// The settings of the demo's nodes that the demo leaves as the editor saves them.
const BUTTON_SETTINGS = {
  width: '0',
  height: '0',
  emulateClick: false,
  color: '',
  bgcolor: '',
  className: '',
  icon: 'bell-ring',
  iconPosition: 'left',
  payload: '',
  payloadType: 'str',
  topic: 'topic',
  topicType: 'msg',
  buttonColor: '',
  textColor: '',
  iconColor: '',
  enableClick: true,
  enablePointerdown: false,
  pointerdownPayload: '',
  pointerdownPayloadType: 'str',
  enablePointerup: false,
  pointerupPayload: '',
  pointerupPayloadType: 'str',
};
const DELAY_SETTINGS = {
  pauseType: 'delay',
  rate: '1',
  nbRateUnits: '1',
  rateUnits: 'second',
  randomFirst: '1',
  randomLast: '5',
  randomUnits: 'seconds',
  drop: false,
  allowrate: false,
  outputs: 1,
};
const CHANGE_SETTINGS = { action: '', property: '', from: '', to: '', reg: false };
const POST_SETTINGS = {
  method: 'POST',
  ret: 'obj',
  paytoqs: 'ignore',
  url: '',
  tls: '',
  persist: false,
  proxy: '',
  insecureHTTPParser: false,
  authType: '',
  senderr: false,
};

/** A change node that sets msg.url (`tot`: 'str' or 'jsonata') and passes the message to `next`. */
function setUrl(tab, id, name, url, tot, at, next) {
  return {
    id,
    type: 'change',
    z: tab,
    name,
    rules: [{ t: 'set', p: 'url', pt: 'msg', to: url, tot }],
    ...CHANGE_SETTINGS,
    ...at,
    wires: [[next]],
  };
}

/** An http request node that POSTs to msg.url. */
function post(tab, id, name, at, wires) {
  return { id, type: 'http request', z: tab, name, ...POST_SETTINGS, headers: [], ...at, wires };
}

/** The "Ring the doorbell" button and what it drives: the door station calls the flat, the visitor hangs up 10 s later. */
function ringButton(tab, base) {
  return [
    {
      id: 'demo-ring',
      type: 'ui-button',
      z: tab,
      group: DOOR_GROUP,
      name: 'Ring the doorbell (demo)',
      label: 'Ring the doorbell',
      order: 3,
      tooltip: `the simulator's door station calls flat ${FLAT}`,
      ...BUTTON_SETTINGS,
      x: 170,
      y: 800,
      wires: [['demo-ring-url']],
    },
    setUrl(tab, 'demo-ring-url', 'simulator: doorbell', `${base}doorbell?flat=${FLAT}`, 'str', { x: 400, y: 800 }, 'demo-ring-post'),
    post(tab, 'demo-ring-post', 'ring', { x: 590, y: 800 }, [['demo-ring-wait']]),
    {
      id: 'demo-ring-wait',
      type: 'delay',
      z: tab,
      name: 'the visitor talks',
      timeout: '10',
      timeoutUnits: 'seconds',
      ...DELAY_SETTINGS,
      x: 770,
      y: 800,
      wires: [['demo-hangup-url']],
    },
    setUrl(
      tab,
      'demo-hangup-url',
      'simulator: hang up',
      `"${base}hangup?chan=" & $encodeUrlComponent(payload.channel)`,
      'jsonata',
      { x: 400, y: 860 },
      'demo-hangup-post',
    ),
    post(tab, 'demo-hangup-post', 'hang up', { x: 590, y: 860 }, [[]]),
    {
      id: 'demo-ring-comment',
      type: 'comment',
      z: tab,
      name: 'Demo only (npm start): the panel\'s "Ring the doorbell" button drives the simulator',
      info: '',
      x: 270,
      y: 760,
      wires: [],
    },
  ];
}

/**
 * Adds or re-points the demo's parts in `flows` (changed in place). target: { mode, url, mqtt? }.
 * Returns what it did, for the console.
 */
function applyDemoParts(flows, target) {
  const done = { ringButton: false, broker: false };
  const group = flows.find((n) => n && n.id === DOOR_GROUP && n.type === 'ui-group');
  const tab = group && (flows.find((n) => n && n.group === DOOR_GROUP && typeof n.z === 'string') || {}).z;
  const ours = new Set(ringButton('', '').map((n) => n.id));
  if (target.mode === 'simulator' && tab) {
    const fresh = ringButton(tab, controlBase(target.url));
    for (const node of fresh) {
      const i = flows.findIndex((n) => n && n.id === node.id);
      if (i < 0) flows.push(node);
      else if (node.id === 'demo-ring-url' || node.id === 'demo-hangup-url') flows[i].rules = node.rules;
    }
    done.ringButton = true;
  } else {
    // Against a real PBX there is no simulator to ring.
    for (let i = flows.length - 1; i >= 0; i--) if (flows[i] && ours.has(flows[i].id)) flows.splice(i, 1);
  }
  const broker = flows.find((n) => n && n.id === EXAMPLE_BROKER && n.type === 'mqtt-broker');
  if (broker && target.mqtt && LOOPBACK.has(String(broker.broker))) {
    broker.broker = '127.0.0.1';
    broker.port = String(target.mqtt.port);
    done.broker = true;
  }
  return done;
}

/** The panel's address when the flows have its page, e.g. http://127.0.0.1:1880/dashboard/door-station */
function panelUrl(flows, editorUrl) {
  const page = flows.find((n) => n && n.type === 'ui-page' && n.name === 'Door station');
  const base = page && flows.find((n) => n && n.id === page.ui && n.type === 'ui-base');
  if (!page || !base) return null;
  const join = (a, b) => `${String(a).replace(/\/+$/, '')}/${String(b).replace(/^\/+/, '')}`;
  return join(join(editorUrl, base.path || '/dashboard'), page.path);
}

/**
 * What the console says about the panel: its address and the door PIN its keypad asks for, or how
 * to get the panel back (null without Dashboard 2.0).
 */
function panelLine(dashboardLoaded, flows, editorUrl, pin = null) {
  if (!dashboardLoaded) return null;
  const url = panelUrl(flows, editorUrl);
  if (!url) return 'note: your flows have no door-station panel (example 06): start with --reset to deploy the examples again';
  return pin ? `Door station dashboard: ${url}  (door PIN: ${pin})` : `Door station dashboard: ${url}`;
}

module.exports = { applyDemoParts, panelUrl, panelLine, controlBase };
