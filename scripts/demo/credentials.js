'use strict';
// The demo's secrets as node credentials in the user directory's flows_cred.json (plain JSON: the
// demo runs with credentialSecret false, the file is mode 0600): the door PIN (`code`) of the door
// nodes of the panel (06) and Home Assistant (07) examples, and the demo broker's account on the
// Home Assistant example's broker node while it points at the demo's broker.
const fs = require('node:fs');

const DOOR_NODES = ['ex6-relay', 'ex7-relay'];
const EXAMPLE_BROKER = 'ex7-broker';

function readCredentials(file) {
  try {
    const old = JSON.parse(fs.readFileSync(file, 'utf8'));
    // An encrypted file ({"$": ...}) is useless with credentialSecret false.
    if (old && typeof old === 'object' && !Array.isArray(old) && !('$' in old)) return old;
  } catch {
    // missing or unreadable: start over
  }
  return {};
}

/**
 * Writes `secrets` ({ pin, mqtt }) into `credsFile` for the nodes of `flows` that take them. A PIN
 * the user already gave a door node (in the editor) is kept. `brokerIsDemo`: the example's broker
 * node points at the demo's broker. Answers { pin }: the PIN in effect on the panel's door node
 * (null when the flows have none).
 */
function applyDemoCredentials({ credsFile, flows, secrets, brokerIsDemo }) {
  const creds = readCredentials(credsFile);
  const present = new Set(flows.filter((n) => n && typeof n.id === 'string').map((n) => n.id));
  for (const id of DOOR_NODES.filter((d) => present.has(d))) {
    const own = creds[id] || {};
    if (typeof own.code !== 'string' || own.code === '') creds[id] = { ...own, code: secrets.pin };
  }
  if (brokerIsDemo && present.has(EXAMPLE_BROKER)) {
    creds[EXAMPLE_BROKER] = { ...(creds[EXAMPLE_BROKER] || {}), user: secrets.mqtt.username, password: secrets.mqtt.password };
  }
  fs.writeFileSync(credsFile, JSON.stringify(creds, null, 4), { mode: 0o600 });
  fs.chmodSync(credsFile, 0o600);
  const door = DOOR_NODES.find((d) => present.has(d) && creds[d] && creds[d].code);
  return { pin: door ? creds[door].code : null };
}

module.exports = { applyDemoCredentials, DOOR_NODES };
