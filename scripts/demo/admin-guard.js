'use strict';
// The demo's admin API guard (Node-RED's httpAdminMiddleware). The demo runs without adminAuth and
// Node-RED's admin API answers every origin (Access-Control-Allow-Origin: *), so any web page open
// in the user's browser could POST /inject/<id> or /flows and run the door opener. Two rules:
//   - Host must be the address the demo is bound to (127.0.0.1:port, or localhost:port naming the
//     same loopback address): a page that rebinds its own name to 127.0.0.1 (DNS rebinding) sends
//     its own name as Host and is refused, whatever the method.
//   - A state-changing request (POST, PUT, DELETE, PATCH) whose Origin, or without one its
//     Referer, is not the demo's own address is refused. Browsers send Origin with every such
//     request from a page; a request with neither header comes from a program on this machine
//     (curl, a test), which could reach the API anyway.
// A request from another origin with a safe method is refused as well when it says where it comes
// from (Origin): a page reading /flows through the permissive CORS answer.
// Refused: 403 with a short text; the request goes no further, nothing runs.
const STATE_CHANGING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/** The host:port values and origins the demo bound to `port` answers as itself. */
function ownAddresses(port) {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  return { hosts: new Set(hosts), origins: new Set(hosts.map((h) => `http://${h}`)) };
}

/** The origin of a Referer URL, or null when it is none. */
function refererOrigin(referer) {
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

/** Why the request is refused, or null when it may pass. */
function refusal(req, own) {
  const host = String(req.headers.host || '').toLowerCase();
  if (!own.hosts.has(host)) return "Host is not this demo's address";
  const origin = req.headers.origin;
  if (origin !== undefined) return own.origins.has(String(origin).toLowerCase()) ? null : "Origin is not this demo's address";
  if (!STATE_CHANGING.has(String(req.method).toUpperCase())) return null;
  const referer = req.headers.referer;
  if (referer === undefined) return null;
  const from = refererOrigin(String(referer));
  return from !== null && own.origins.has(from.toLowerCase()) ? null : "Referer is not this demo's address";
}

/**
 * The middleware for `port` (the editor's bound port). `onRefused(reason, req)` is told of each
 * refusal (the demo prints one line).
 */
function adminGuard(port, onRefused = () => undefined) {
  const own = ownAddresses(port);
  return function demoAdminGuard(req, res, next) {
    const reason = refusal(req, own);
    if (reason === null) return next();
    onRefused(reason, req);
    res.status(403).type('text/plain').send(`Forbidden: ${reason} (the demo's admin API answers only its own editor)`);
    return undefined;
  };
}

module.exports = { adminGuard, refusal, ownAddresses };
