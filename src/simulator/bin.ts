#!/usr/bin/env node
// webtapi-sim: run the WebTAPI PBX simulator from the command line.
import fs from 'node:fs';
import { asGiven, parseFlags, type FlagParser } from '../cli-args';
import { messageOf } from '../client/errors';
import { readCapture, type Capture } from '../probe/capture';
import { startSimulator } from './index';
import { exposureWarning } from './options';
import { parseStreamSpec, type StreamOptions } from './stream';

const USAGE = `Usage: webtapi-sim [options]
  --port N              port to listen on (default 9998, env WEBTAPI_SIM_PORT)
  --host HOST           interface to bind (default 127.0.0.1, env WEBTAPI_SIM_HOST; any other than loopback is warned about:
                        its password is public and its control API needs no session)
  --user NAME           login user = its extension (default 1004, env WEBTAPI_SIM_USER)
  --password PASS       its password (default secret, env WEBTAPI_SIM_PASSWORD)
  --ring-ms N           answer called extensions after N ms (default 0 = ring until answered, env WEBTAPI_SIM_RING_MS)
  --session-idle-ms N   session idle timeout (default 1800000, env WEBTAPI_SIM_SESSION_IDLE_MS)
  --image-bytes N       pad camera pictures to N bytes (env WEBTAPI_SIM_IMAGE_BYTES)
  --door-station EXT    the door station's extension for /sim/doorbell (default 1009)
  --channel-fields N    channel lines with 14 fields (default) or 13 (the document's layout, with caller names)
  --bridge-ids          the bridged field holds bridge ids (Asterisk 12+) instead of peer channel names
  --no-control          no control API under /sim/
  --stream SPEC         camera streams: bare, lf, no-length, drop=N, interval=MS (comma-separated)
  --replay FILE         answer the read-only actions of a webtapi-probe capture as captured
  --push URL            on each change request URL?event=ring|answer|hangup&src=..&dst=..&chan=..
                        (relay: event=relay&relay=..&status=..), as a dialplan would
  --quiet               no request log
  --help                this text

Control API (not WebTAPI; for tests and demos), answers JSON:
  curl -X POST 'http://127.0.0.1:9998/sim/doorbell?flat=1001'       door station calls flat 1001
  curl -X POST 'http://127.0.0.1:9998/sim/ring?ext=1002&from=%2B4930123456&name=Erika'
  curl -X POST 'http://127.0.0.1:9998/sim/queue-call?queue=VMX&from=%2B4930123456'
  curl -X POST 'http://127.0.0.1:9998/sim/answer?chan=1001'           (a channel, or an extension)
  curl -X POST 'http://127.0.0.1:9998/sim/reject?chan=1001'
  curl -X POST 'http://127.0.0.1:9998/sim/hangup?chan=1001'           (no chan: every call)
  curl 'http://127.0.0.1:9998/sim/calls'
  curl -X POST 'http://127.0.0.1:9998/sim/push?url=http%3A%2F%2F127.0.0.1%3A1880%2Fmetasec-webtapi%2Fevents%2FTOKEN'
`;

interface CliOptions {
  port: number;
  host: string;
  user: string;
  password: string;
  ringMs: number;
  sessionIdleMs?: number;
  imageBytes?: number;
  doorStation?: string;
  channelFields?: 13 | 14;
  bridgeIds: boolean;
  control: boolean;
  stream?: Partial<StreamOptions>;
  replay?: string;
  push?: string;
  quiet: boolean;
}

function fail(message: string): never {
  process.stderr.write(`webtapi-sim: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function int(v: string | undefined, name: string): number {
  if (v === undefined || !/^[0-9]+$/.test(v))
    fail(`${name} needs a non-negative integer, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  return Number(v);
}

function pushUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    fail('--push needs an http:// or https:// URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') fail('--push needs an http:// or https:// URL');
  return v;
}

/** The options the environment sets (an empty variable counts as unset); flags override them. */
function fromEnv(env: NodeJS.ProcessEnv): CliOptions {
  const get = (k: string): string | undefined => (env[k] === '' ? undefined : env[k]);
  const num = (k: string): number | undefined => (get(k) === undefined ? undefined : int(get(k), k));
  return {
    port: num('WEBTAPI_SIM_PORT') ?? 9998,
    host: get('WEBTAPI_SIM_HOST') ?? '127.0.0.1',
    user: get('WEBTAPI_SIM_USER') ?? '1004',
    password: get('WEBTAPI_SIM_PASSWORD') ?? 'secret',
    ringMs: num('WEBTAPI_SIM_RING_MS') ?? 0,
    sessionIdleMs: num('WEBTAPI_SIM_SESSION_IDLE_MS'),
    imageBytes: num('WEBTAPI_SIM_IMAGE_BYTES'),
    quiet: false,
    bridgeIds: false,
    control: true,
  };
}

function channelFields(v: string): 13 | 14 {
  const n = int(v, '--channel-fields');
  if (n !== 13 && n !== 14) fail('--channel-fields must be 13 or 14');
  return n;
}

function streamSpec(v: string): Partial<StreamOptions> {
  try {
    return parseStreamSpec(v);
  } catch (err) {
    fail(messageOf(err));
  }
}

/** What each flag does to the options. */
const FLAGS: FlagParser<CliOptions>['flags'] = {
  '--port': { option: 'port', read: int },
  '--host': { option: 'host', read: asGiven },
  '--user': { option: 'user', read: asGiven },
  '--password': { option: 'password', read: asGiven },
  '--ring-ms': { option: 'ringMs', read: int },
  '--session-idle-ms': { option: 'sessionIdleMs', read: int },
  '--image-bytes': { option: 'imageBytes', read: int },
  '--door-station': { option: 'doorStation', read: asGiven },
  '--channel-fields': { option: 'channelFields', read: channelFields },
  '--bridge-ids': { option: 'bridgeIds', set: true },
  '--no-control': { option: 'control', set: false },
  '--stream': { option: 'stream', read: streamSpec },
  '--replay': { option: 'replay', read: asGiven },
  '--push': { option: 'push', read: pushUrl },
  '--quiet': { option: 'quiet', set: true },
};

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const o = parseFlags(argv, fromEnv(env), { flags: FLAGS, usage: USAGE, fail });
  if (o.port > 65535) fail('--port must be 0..65535');
  return o;
}

function loadCapture(file: string): Capture {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    fail(`--replay: cannot read ${file}: ${messageOf(err)}`);
  }
  try {
    return readCapture(JSON.parse(text));
  } catch (err) {
    fail(`--replay: ${file}: ${messageOf(err)}`);
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2), process.env);
  const replay = o.replay !== undefined ? loadCapture(o.replay) : undefined;
  const exposed = exposureWarning(o.host);
  if (exposed) process.stderr.write(`webtapi-sim: ${exposed}\n`);
  const sim = await startSimulator({
    port: o.port,
    host: o.host,
    users: { [o.user]: o.password },
    ringMs: o.ringMs,
    sessionIdleMs: o.sessionIdleMs,
    imageBytes: o.imageBytes,
    doorStation: o.doorStation,
    channelFields: o.channelFields,
    bridgeField: o.bridgeIds ? 'id' : 'peer',
    control: o.control,
    stream: o.stream,
    replay,
    push: o.push,
    log: o.quiet ? undefined : (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.stdout.write(`WebTAPI simulator listening on ${sim.url}\n`);
  if (replay) process.stdout.write(`replaying the read-only answers of ${o.replay} (captured ${replay.capturedAt} from ${replay.url})\n`);
  if (o.push) process.stdout.write(`pushing events to ${new URL(o.push).origin} (path not shown: it may hold a token)\n`);
  if (o.control) process.stdout.write(`control API: ${new URL('/sim/', sim.url).href} (see --help)\n`);
  process.stdout.write(`user ${o.user} / password ${o.password === 'secret' ? 'secret' : '(as given)'}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: closing\n`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`webtapi-sim: ${messageOf(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`webtapi-sim: ${messageOf(err)}\n`);
  process.exit(1);
});
