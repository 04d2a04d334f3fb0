// Every transport frees a large query buffer a session lets go of at once (free-buffer.ts: the event loop and the
// hybrid's loops when the session drops it, the pool's workers likewise) rather than leaving it to the collector,
// and counts it in INFO pool_buffers_released. Needs the native helper (its detach).

import { afterEach, describe, expect, it } from 'vitest';
import { asMemory } from '../../src/transport/threadpool/native-addon.js';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { resp } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

function memoryCallsBuilt(): boolean {
  const native = loadNative();
  return !(native instanceof Error) && asMemory(native) !== null;
}

describe.skipIf(!memoryCallsBuilt()).each(transports)('%s transport: large query buffers', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('frees a large query buffer at once and counts it in INFO', async () => {
    server = await startTestServer(transport, { workers: 2 });
    const client = await server.connect();
    const released = async (): Promise<number> => {
      await client.send(resp('INFO', 'memory'));
      return Number(/\r\npool_buffers_released:(\d+)\r\n/.exec(await client.readBulk())?.[1]);
    };
    expect(await released()).toBe(0);
    // 1 MiB arrives in many reads: the query buffer is outgrown several times, then let go once SET has run.
    expect(await client.request(resp('SET', 'big', Buffer.alloc(1024 * 1024, 0x76)), '+OK\r\n')).toBe(
      '+OK\r\n',
    );
    expect(await released()).toBeGreaterThanOrEqual(1);
    await client.send(resp('STRLEN', 'big'));
    expect(await client.readLine()).toBe(':1048576\r\n');
  });
});
