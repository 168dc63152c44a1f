/*
 * A real MQTT broker (aedes, in this process, on 127.0.0.1 and a free port) and a real MQTT client
 * (MQTT.js, the one Node-RED's own MQTT nodes use), for the flows that talk MQTT.
 */
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

export interface Broker {
  readonly port: number;
  close(): Promise<void>;
}

/** On a free port, or on `port` (a broker restarted where its clients expect it). */
export async function startBroker(port = 0): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const server = net.createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

interface MqttClient {
  on(event: 'message', fn: (topic: string, payload: Buffer, packet: { retain: boolean }) => void): void;
  once(event: 'connect' | 'error', fn: (arg?: unknown) => void): void;
  // The callback forms: MQTT.js 4 (Node-RED 3.1) has no *Async methods.
  subscribe(topics: string[], opts: { qos: 0 | 1 | 2 }, cb: (err?: Error | null) => void): void;
  publish(topic: string, payload: string | Buffer, opts: { qos: 0 | 1 | 2; retain?: boolean }, cb: (err?: Error | null) => void): void;
  end(force: boolean, opts: object, cb: () => void): void;
}

// MQTT.js as Node-RED's MQTT nodes load it (a dependency of @node-red/nodes, so in each matrix install too).
const nodesDir = require.resolve('@node-red/nodes/package.json', { paths: [require.resolve('node-red')] });
const mqtt = require(require.resolve('mqtt', { paths: [nodesDir] })) as { connect(url: string, opts?: object): MqttClient };

/** A subscriber that keeps what it receives and can wait for the next match. */
export class Subscriber {
  readonly received: Received[] = [];
  private readonly waiters = new Set<{ test: (m: Received) => boolean; resolve: (m: Received) => void }>();

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const m = { topic, payload, retain: packet.retain };
      this.received.push(m);
      for (const w of [...this.waiters]) {
        if (w.test(m)) {
          this.waiters.delete(w);
          w.resolve(m);
        }
      }
    });
  }

  /** `account`: the broker's user and password (none: an anonymous client). */
  static async connect(port: number, topics: string[], account?: { username: string; password: string }): Promise<Subscriber> {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      reconnectPeriod: 0,
      clientId: `test-${process.pid}-${Math.random().toString(16).slice(2)}`,
      ...(account ?? {}),
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', (err) => {
        client.end(true, {}, () => undefined);
        reject(err as Error);
      });
    });
    const sub = new Subscriber(client);
    // No topics: a client that only publishes.
    if (topics.length > 0)
      await new Promise<void>((resolve, reject) => client.subscribe(topics, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    return sub;
  }

  /** The first message received so far, or the next one to come, that passes `test`. */
  next(test: (m: Received) => boolean, timeoutMs = 10_000): Promise<Received> {
    const seen = this.received.find(test);
    if (seen) return Promise.resolve(seen);
    return this.nextNew(test, timeoutMs);
  }

  /** The next message from now on that passes `test`. */
  nextNew(test: (m: Received) => boolean, timeoutMs = 10_000): Promise<Received> {
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (m: Received) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching MQTT message within ${timeoutMs} ms; received: ${this.received.map((m) => m.topic).join(', ')}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  publish(topic: string, payload: string, retain = false): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.publish(topic, payload, { qos: 1, retain }, (err) => (err ? reject(err) : resolve())),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.client.end(true, {}, () => resolve()));
  }
}
