/*
 * The relays of one webtapi-config node: one lane (one writer) per relay, shared by every
 * relay-set node of that server; the runtime's journal of pending switch-backs; and what happens
 * to them when nodes close (switch back now, within Node-RED's close timeout).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Node, NodeAPI } from 'node-red';
import { messageOf, validators, type WebTapiClient } from '../../../client';
import { audit } from '../../glue/audit';
import { JOURNAL_FILE, ORPHAN_KEEP_MS, RelayJournal } from './journal';
import { RelayLane, type LaneJournal, type Reporter } from './lane';
import { text } from '../../glue/status';

const DEFAULT_CLOSE_TIMEOUT_MS = 15_000;

/** Node-RED's close timeout, less a margin for closing the connections afterwards. */
export function closeBudgetMs(RED: NodeAPI): number {
  const configured = Number((RED.settings as unknown as Record<string, unknown>).nodeCloseTimeout);
  const limit = Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_CLOSE_TIMEOUT_MS;
  return Math.max(limit - 2000, limit / 2);
}

interface Runtime {
  journal: RelayJournal;
  /** Config nodes running now: id -> fingerprint of their URL. */
  live: Map<string, string>;
}

const byFile = new Map<string, Runtime>();
const inMemory = new WeakMap<object, Runtime>();
let orphanCheck: { events: NodeAPI['events']; runtime: Runtime; listener: () => void } | null = null;

/** The runtime's journal: `<userDir>/metasec-webtapi-relays.json`, or memory without a user directory. */
function runtimeOf(RED: NodeAPI): Runtime {
  const userDir = (RED.settings as unknown as Record<string, unknown>).userDir;
  const warn = (line: string) => RED.log.warn(line);
  if (typeof userDir === 'string' && userDir !== '') {
    const file = path.join(userDir, JOURNAL_FILE);
    let rt = byFile.get(file);
    if (!rt) byFile.set(file, (rt = { journal: new RelayJournal(file, warn), live: new Map() }));
    return rt;
  }
  let rt = inMemory.get(RED);
  if (!rt) inMemory.set(RED, (rt = { journal: new RelayJournal(null, warn), live: new Map() }));
  return rt;
}

/** After each (re)start of the flows: entries whose server is gone are reported, and dropped after a day. */
function watchOrphans(RED: NodeAPI, runtime: Runtime): void {
  if (orphanCheck && orphanCheck.events === RED.events && orphanCheck.runtime === runtime) return;
  if (orphanCheck) orphanCheck.events.removeListener('flows:started', orphanCheck.listener);
  const listener = () => {
    void runtime.journal.load().then(() => reportOrphans(RED, runtime));
  };
  RED.events.on('flows:started', listener);
  orphanCheck = { events: RED.events, runtime, listener };
}

function reportOrphans(RED: NodeAPI, runtime: Runtime): void {
  const now = Date.now();
  for (const e of runtime.journal.list()) {
    if (runtime.live.get(e.config) === e.pbx) continue;
    const since = e.orphanedAt ?? now;
    if (now - since >= ORPHAN_KEEP_MS) {
      RED.log.warn(
        `relay ${e.relay}: dropped the switch-back to ${e.back} pending for server configuration ${e.config}, which has been gone (or pointing at another PBX) for a day`,
      );
      void runtime.journal.remove(e.config, e.relay);
      continue;
    }
    RED.log.warn(
      `relay ${e.relay}: a switch-back to ${e.back} from before the restart is not carried out: its server configuration ${e.config} is gone or now points at another PBX; kept until ${new Date(since + ORPHAN_KEEP_MS).toISOString()}`,
    );
    if (e.orphanedAt === undefined) void runtime.journal.put({ ...e, orphanedAt: since });
  }
}

export interface RelayUser {
  node: Node;
  /** Aborted when the node closes. */
  signal: AbortSignal;
  /** Who sent the message (the audit line's `by=`, see origin.ts). */
  by: string;
}

export class RelayHub {
  private readonly lanes = new Map<string, RelayLane>();
  private readonly runtime: Runtime;
  private readonly pbx: string;
  private readonly ready: Promise<unknown>;
  private closed = false;

  constructor(
    private readonly RED: NodeAPI,
    private readonly config: Node,
    private readonly client: WebTapiClient,
    url: string,
  ) {
    this.runtime = runtimeOf(RED);
    this.pbx = createHash('sha256').update(url).digest('hex').slice(0, 16);
    this.runtime.live.set(config.id, this.pbx);
    watchOrphans(RED, this.runtime);
    this.ready = this.runtime.journal
      .load()
      .then((entries) => {
        for (const e of entries) if (e.config === config.id && e.pbx === this.pbx) this.resume(e);
      })
      .catch(() => undefined);
  }

  /** The lane of a relay id (checked and trimmed as the client sends it). */
  lane(relay: unknown): RelayLane {
    const id = validators.relayId('relay_status_set', 'relay_id', relay);
    let lane = this.lanes.get(id);
    if (!lane) {
      const io = {
        set: async (status: number, signal?: AbortSignal) =>
          (await this.client.execute('relay_status_set', { relay_id: id, status }, { signal })).params,
        read: (signal?: AbortSignal) => this.client.relays.status(id, { signal }),
      };
      // An idle lane is forgotten: relay ids from messages must not pile up for the server's lifetime.
      const made: RelayLane = new RelayLane(id, io, this.journalOf(id), this.ready, {
        onIdle: () => {
          if (this.lanes.get(id) === made) this.lanes.delete(id);
        },
      });
      if (this.closed) made.close(Date.now());
      this.lanes.set(id, (lane = made));
    }
    return lane;
  }

  /** How a relay-set node reports for one message: its audit lines (with the message's origin), status and warnings. */
  reporter(user: RelayUser): Reporter {
    const { node, signal, by } = user;
    return {
      id: node.id,
      owner: node,
      signal,
      audit: (fields, result) => audit(node, 'relay_status_set', fields, result, by),
      pulsing: (ms) => node.status({ fill: 'blue', shape: 'ring', text: text(this.RED, 'pulse', { ms }) }),
      switchingBack: (attempt) => {
        if (!signal.aborted) node.status({ fill: 'yellow', shape: 'ring', text: text(this.RED, 'switchingBack', { attempt }) });
      },
      warn: (line) => node.warn(line),
      error: (line) => node.error(line),
    };
  }

  /**
   * A relay-set node closes: its pulses switch back now; `done` once they are confirmed, or when
   * Node-RED's close timeout is near (the switch-back goes on while this server runs).
   */
  release(node: Node, done: () => void): void {
    const involved = [...this.lanes.values()].filter((lane) => lane.involves(node));
    if (involved.length === 0) {
      done();
      return;
    }
    for (const lane of involved) lane.cutShort(node);
    this.atMost(Promise.all(involved.map((lane) => lane.idle())), closeBudgetMs(this.RED)).then(done, done);
  }

  /** The server closes: every pulse switches back now, retried until the close timeout is near. */
  async close(): Promise<void> {
    this.closed = true;
    this.runtime.live.delete(this.config.id);
    const budget = closeBudgetMs(this.RED);
    const deadline = Date.now() + budget;
    for (const lane of this.lanes.values()) lane.close(deadline);
    await this.atMost(Promise.all([...this.lanes.values()].map((lane) => lane.idle())), budget + 200);
    for (const e of this.runtime.journal.list()) {
      if (e.config === this.config.id && e.pbx === this.pbx)
        this.config.error(
          `relay ${e.relay}: switch-back not confirmed before shutdown; it is kept in the relay journal and carried out at the next start`,
        );
    }
  }

  private resume(e: { relay: string; target: number; back: number; due: number; restoreMs: number; node: string }): void {
    const node = e.node;
    const reporter: Reporter = {
      id: node,
      audit: (fields, result) => auditAs(this.config, node, fields, result),
      pulsing: () => undefined,
      switchingBack: () => undefined,
      warn: (line) => this.config.warn(line),
      error: (line) => this.config.error(line),
    };
    let lane: RelayLane;
    try {
      lane = this.lane(e.relay);
    } catch {
      this.config.warn('relay journal: an entry with an invalid relay id is dropped');
      void this.runtime.journal.remove(this.config.id, e.relay).catch(() => undefined);
      return;
    }
    this.config.log(
      `relay ${e.relay}: completing a pulse from before the restart, switching back to ${e.back} ${e.due > Date.now() ? `at ${new Date(e.due).toISOString()}` : 'now'}`,
    );
    lane.resume(e, reporter, { completes: 'pulse-before-restart' }).catch((err: unknown) => {
      if (!this.closed) this.config.error(messageOf(err));
    });
  }

  private journalOf(relay: string): LaneJournal {
    const journal = this.runtime.journal;
    return {
      record: async (entry) => {
        try {
          await journal.put({ config: this.config.id, pbx: this.pbx, relay, ...entry });
        } catch (err) {
          this.config.warn(
            `relay ${relay}: the relay journal cannot be written (${messageOf(err)}); this pulse is not completed after a crash`,
          );
        }
      },
      clear: async () => {
        try {
          await journal.remove(this.config.id, relay);
        } catch (err) {
          this.config.warn(`relay ${relay}: the relay journal cannot be written (${messageOf(err)})`);
        }
      },
    };
  }

  /** Settles when `work` settles or after `ms`, whichever comes first; never rejects. */
  private atMost(work: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return Promise.race([
      work.then(
        () => undefined,
        () => undefined,
      ),
      limit,
    ]).finally(() => clearTimeout(timer));
  }
}

/** An audit line for a node of the last run, written by the server configuration. */
function auditAs(config: Node, nodeId: string, fields: Record<string, string>, result?: string): void {
  audit({ id: nodeId, log: (line: string) => config.log(line) } as unknown as Node, 'relay_status_set', fields, result);
}
