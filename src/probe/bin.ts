#!/usr/bin/env node
// webtapi-probe: what does this PBX actually say? Sends every read-only action, prints what came
// back and which assumptions of docs/protocol.md hold, and saves a capture for a bug report or
// for `webtapi-sim --replay`.
import fs from 'node:fs';
import path from 'node:path';
import { asGiven, parseFlags, type FlagParser } from '../cli-args';
import { messageOf } from '../client/errors';
import { runProbe } from './probe';
import { formatReport, reportJson } from './report';

const USAGE = `Usage: webtapi-probe --url URL --user USER [--save FILE] [--media] [--json]
  --url URL     the WebTAPI endpoint, e.g. http://192.168.1.10:9998/webtapi/webtapi.php
  --user USER   the WebTAPI user
  --save FILE   write a capture (the answers, without password or session id; the user name as <user>)
  --media       also read camera pictures and a short stream excerpt, and keep them whole in the capture
  --json        print the report as JSON
The password comes from the environment variable WEBTAPI_PASSWORD, or is asked for (not echoed).
Only read-only actions are sent. Exit status: 0 when the login worked and every read answered, else 1.
`;

interface Args {
  url: string;
  user: string;
  save?: string;
  media: boolean;
  json: boolean;
}

function fail(message: string, code = 2): never {
  process.stderr.write(`webtapi-probe: ${message}\n${code === 2 ? `\n${USAGE}` : ''}`);
  process.exit(code);
}

const REFUSE_PASSWORD = {
  refuse: 'the password is never taken from the command line (other users could read it): set WEBTAPI_PASSWORD or type it when asked',
};

/** What each flag does to the arguments. */
const FLAGS: FlagParser<Partial<Args>>['flags'] = {
  '--url': { option: 'url', read: asGiven },
  '--user': { option: 'user', read: asGiven },
  '--save': { option: 'save', read: asGiven },
  '--media': { option: 'media', set: true },
  '--json': { option: 'json', set: true },
  '--password': REFUSE_PASSWORD,
  '--pass': REFUSE_PASSWORD,
  '-p': REFUSE_PASSWORD,
};

function parseArgs(argv: string[]): Args {
  const a = parseFlags<Partial<Args>>(argv, { media: false, json: false }, { flags: FLAGS, usage: USAGE, fail, emptyIsMissing: true });
  if (!a.url) fail('--url is required');
  if (!a.user) fail('--user is required');
  try {
    const u = new URL(a.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    fail(`--url must be an http:// or https:// URL, got ${JSON.stringify(a.url)}`);
  }
  return a as Args;
}

/** Reads the password from the terminal without echo, or a line from piped input. */
function askPassword(): Promise<string> {
  const { stdin, stderr } = process;
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (err: Error | null) => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      if (stdin.isTTY) stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003' || ch === '\u0004') return finish(new Error('no password given'));
        typed = ch === '\u007f' || ch === '\b' ? typed.slice(0, -1) : typed + ch;
      }
    };
    const onEnd = () => finish(typed === '' ? new Error('no password given') : null);
    if (stdin.isTTY) {
      stderr.write('WebTAPI password: ');
      stdin.setRawMode(true);
    }
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume();
  });
}

function packageInfo(): { name: string; version: string } {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { name: string; version: string };
    return { name: pkg.name, version: pkg.version };
  } catch {
    return { name: 'node-red-contrib-metasec-webtapi', version: 'unknown' };
  }
}

/**
 * The capture for the user alone (0600): it holds no secret we know of, but a PBX's answers can
 * carry what no rule recognises (a phone book, a token of its own); the user decides to share it.
 * An existing file keeps its mode on writeFile: set it first.
 */
function writePrivate(file: string, text: string): void {
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const password = process.env.WEBTAPI_PASSWORD || (await askPassword());
  const pkg = packageInfo();
  const report = await runProbe({
    url: args.url,
    user: args.user,
    password,
    media: args.media,
    packageName: pkg.name,
    packageVersion: pkg.version,
  });
  process.stdout.write(args.json ? reportJson(report) : formatReport(report));
  if (args.save) {
    writePrivate(args.save, `${JSON.stringify(report.capture, null, 2)}\n`);
    process.stderr.write(`capture written to ${args.save} (no password, no session id; the user name appears as <user>)\n`);
  }
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((err: unknown) => fail(messageOf(err), 1));
