'use strict';
// The demo's pushes (issue 19): the config node gets an event token once, kept in the user
// directory's flows_cred.json beside its credentials, and the simulator pushes each ring, answer,
// hang-up and relay change to <editor>/metasec-webtapi/events/<token> (httpNodeRoot is / in the
// demo), so the panel shows the visitor within one poll round trip whatever the poll interval.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { CONFIG_ID } = require('./flows');

const CREDS = 'flows_cred.json';
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/** 32 url-safe characters, as the config dialog's Generate button makes them. */
function newToken() {
  return crypto.randomBytes(24).toString('base64url');
}

/** The demo config node's event token: the stored one, or a new one stored now (mode 0600). */
function demoEventToken(userDir) {
  const file = path.join(userDir, CREDS);
  let creds = {};
  try {
    const old = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (old && typeof old === 'object' && !Array.isArray(old) && !('$' in old)) creds = old;
  } catch {
    creds = {};
  }
  const mine = creds[CONFIG_ID] || {};
  if (typeof mine.eventToken === 'string' && TOKEN.test(mine.eventToken)) return mine.eventToken;
  creds[CONFIG_ID] = { ...mine, eventToken: newToken() };
  fs.writeFileSync(file, JSON.stringify(creds, null, 4), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return creds[CONFIG_ID].eventToken;
}

/**
 * With the bundled simulator: a token for the demo's config node and the simulator pushing to it.
 * `editorUrl` is where Node-RED listens (http://127.0.0.1:PORT/). Answers whether pushes are on.
 */
function startDemoPushes({ sim, userDir, editorUrl, configFound }) {
  if (!sim || !configFound) return false;
  const token = demoEventToken(userDir);
  sim.setPush(new URL(`metasec-webtapi/events/${token}`, editorUrl).href);
  return true;
}

module.exports = { demoEventToken, startDemoPushes };
