// What the client suites against the simulator share: the rejection check and the set-up.
import assert from 'node:assert/strict';
import { WebTapiClient, WebTapiError } from '../../dist/client';
import { Simulator, startSimulator } from '../../dist/simulator';

/** For assert.rejects(): a WebTapiError with the code `expected`. */
export function code(expected: string) {
  return (err: unknown) => {
    assert.ok(err instanceof WebTapiError, `expected a WebTapiError, got ${String(err)}`);
    assert.equal(err.code, expected, err.message);
    return true;
  };
}

/**
 * One simulator for the suite (port 0), reset before each test; then `make` gives the test's
 * client, closed after the test. `use` receives both before each test.
 */
export function useSimulatorClient(make: (sim: Simulator) => WebTapiClient, use: (sim: Simulator, client: WebTapiClient) => void): void {
  let sim: Simulator | undefined;
  let client: WebTapiClient | undefined;
  before(async () => {
    sim = await startSimulator({ port: 0 });
  });
  after(async () => {
    await sim?.close();
  });
  beforeEach(() => {
    sim!.reset();
    client = make(sim!);
    use(sim!, client);
  });
  afterEach(async () => {
    await client?.close();
  });
}
