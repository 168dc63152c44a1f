'use strict';
// The demo's own secrets, made once per user directory and kept there (mode 0600): the door PIN
// (six random digits from the system's CSPRNG) and the MQTT broker's account. The same ones on
// every start, so the PIN a user learnt and a Home Assistant set up against the broker keep working.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const FILE = 'demo-secrets.json';
const MQTT_USER = 'webtapi-demo';
// Six digits a person might guess first: never handed out.
const GUESSABLE = /^(\d)\1{5}$|^(012345|123456|234567|345678|456789|987654|876543|765432|654321|543210|123123|121212|112233)$/;

function newPin() {
  for (;;) {
    const pin = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    if (!GUESSABLE.test(pin)) return pin;
  }
}

function fresh() {
  return { pin: newPin(), mqtt: { username: MQTT_USER, password: crypto.randomBytes(18).toString('base64url') } };
}

function usable(s) {
  return Boolean(
    s &&
    typeof s.pin === 'string' &&
    /^\d{6}$/.test(s.pin) &&
    !GUESSABLE.test(s.pin) &&
    s.mqtt &&
    typeof s.mqtt.username === 'string' &&
    s.mqtt.username !== '' &&
    typeof s.mqtt.password === 'string' &&
    s.mqtt.password.length >= 16,
  );
}

/** The demo's secrets in `dir` ({ pin, mqtt: { username, password } }), created on first use. */
function demoSecrets(dir) {
  const file = path.join(dir, FILE);
  let secrets;
  try {
    secrets = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    secrets = null;
  }
  if (usable(secrets)) {
    // A copy made with other permissions (cp, an archive) is tightened again.
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    return secrets;
  }
  secrets = fresh();
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${FILE}.${crypto.randomBytes(6).toString('hex')}`);
  fs.writeFileSync(tmp, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
  return secrets;
}

module.exports = { demoSecrets, GUESSABLE, FILE };
