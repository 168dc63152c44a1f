'use strict';
// The demo's Node-RED user directory: the example flows deployed on first start, one tab each,
// all sharing one config node; later starts keep the user's flows and only re-point that config
// node at this run's server (the simulator's port can change from run to run).
const fs = require('node:fs');
const path = require('node:path');
const { applyDemoParts } = require('./dashboard');
const { disableSideEffects } = require('./pbx-safe');

const CONFIG_ID = 'demo-pbx';
const FLOWS = 'flows.json';
const CREDS = 'flows_cred.json';
const NAMES = { simulator: 'Simulator', pbx: 'PBX' };

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function exists(file) {
  return fs.existsSync(file);
}

/** Every example, each on its own tab, with one shared config node `url`. */
function exampleFlows(examplesDir, url, mode) {
  const files = fs
    .readdirSync(examplesDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const out = [];
  files.forEach((file, i) => {
    const tab = `demo-tab-${String(i + 1).padStart(2, '0')}`;
    const nodes = readJson(path.join(examplesDir, file));
    const configs = new Set(nodes.filter((n) => n.type === 'webtapi-config').map((n) => n.id));
    out.push({
      id: tab,
      type: 'tab',
      label: file.replace(/\.json$/, '').replace(/^\d+\s+/, ''),
      disabled: false,
      info: `Example \`${file}\` of node-red-contrib-metasec-webtapi.`,
    });
    for (const n of nodes) {
      if (configs.has(n.id)) continue;
      // Other config nodes (an MQTT broker, the dashboard's base, page and groups) stay global.
      const copy = n.z === undefined ? { ...n } : { ...n, z: tab };
      if (configs.has(copy.server)) copy.server = CONFIG_ID;
      out.push(copy);
    }
  });
  out.push({ id: CONFIG_ID, type: 'webtapi-config', name: NAMES[mode], url, tls: '', timeout: 10000, concurrency: 4 });
  return out;
}

function writePrivate(file, data) {
  fs.writeFileSync(file, data, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/**
 * Prepares `dir` for Node-RED. target: { mode: 'simulator' | 'pbx', url, username?, password?, mqtt?: { port } };
 * credentials are only written when given. Answers what happened, for the console.
 */
function prepareUserDir({ dir, examplesDir, target, reset = false }) {
  fs.mkdirSync(dir, { recursive: true });
  const flowsFile = path.join(dir, FLOWS);
  const credsFile = path.join(dir, CREDS);
  let flows = null;
  let backedUp = null;
  if (exists(flowsFile) && reset) {
    backedUp = `${flowsFile}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
    fs.renameSync(flowsFile, backedUp);
    if (exists(credsFile)) fs.renameSync(credsFile, backedUp.replace(FLOWS, CREDS));
  }
  if (exists(flowsFile)) {
    try {
      flows = readJson(flowsFile);
    } catch (err) {
      throw new Error(`${flowsFile} is not valid JSON (${err.message}): fix it, or start with --reset to deploy the examples again`, {
        cause: err,
      });
    }
    if (!Array.isArray(flows)) throw new Error(`${flowsFile} is not a flow file: start with --reset to deploy the examples again`);
  }
  const created = flows === null;
  if (created) flows = exampleFlows(examplesDir, target.url, target.mode);
  const disabled = created && target.mode === 'pbx' ? disableSideEffects(flows) : [];

  const cfg = flows.find((n) => n && n.id === CONFIG_ID && n.type === 'webtapi-config');
  if (cfg) {
    cfg.url = target.url;
    if (Object.values(NAMES).includes(cfg.name)) cfg.name = NAMES[target.mode];
  }
  const demoParts = applyDemoParts(flows, target);
  const text = JSON.stringify(flows, null, 4);
  if (created || !exists(flowsFile) || fs.readFileSync(flowsFile, 'utf8') !== text) fs.writeFileSync(flowsFile, text);

  let credentialsWritten = false;
  if (cfg && (target.username !== undefined || target.password !== undefined)) {
    let creds = {};
    if (exists(credsFile)) {
      try {
        const old = readJson(credsFile);
        // An encrypted file ({"$": ...}) is useless with credentialSecret false: start over.
        if (old && typeof old === 'object' && !Array.isArray(old) && !('$' in old)) creds = old;
      } catch {
        creds = {};
      }
    }
    const prev = creds[CONFIG_ID] || {};
    creds[CONFIG_ID] = {
      ...prev,
      username: target.username !== undefined ? target.username : prev.username,
      password: target.password !== undefined ? target.password : prev.password,
    };
    writePrivate(credsFile, JSON.stringify(creds, null, 4));
    credentialsWritten = true;
  }
  return { created, configFound: Boolean(cfg), credentialsWritten, backedUp, flowsFile, credsFile, flows, demoParts, disabled };
}

module.exports = { CONFIG_ID, exampleFlows, prepareUserDir };
