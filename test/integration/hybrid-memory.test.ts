// What the hybrid's loop threads do to keep their memory down under a write load (bench/eviction.ts's cap part):
// each loop's young generation is held at the main thread's size (worker resourceLimits, young-generation.ts).
// That a large query buffer a session lets go of is freed at once is tested on every transport
// (query-buffer-release.test.ts).

import { afterEach, describe, expect, it } from 'vitest';
import { Config } from '../../src/core/config.js';
import { SharedStore } from '../../src/core/store/store.js';
import { HybridTransport } from '../../src/transport/hybrid/index.js';
import { loadNative } from '../../src/transport/threadpool/native.js';
import { WORKER_YOUNG_GENERATION_MB } from '../../src/young-generation.js';
import { LogCapture } from '../support/server.js';

const native = loadNative();
const LIMITS_LOOP = new URL('../../dist/test/support/limits-loop-worker.js', import.meta.url);

let closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

describe.skipIf(native instanceof Error)('hybrid loop memory', () => {
  it("runs every loop with its young generation held at the main thread's size", async () => {
    const logs = new LogCapture();
    let lastId = 0;
    const store = SharedStore.create({ clock: Date.now });
    const transport = new HybridTransport({
      host: '127.0.0.1',
      port: 0,
      backlog: 511,
      config: new Config({}),
      logger: logs.logger,
      nextClientId: () => ++lastId,
      workers: 2,
      storeHandles: store.handles(),
      version: '0.1.0',
      startedAt: Date.now(),
      workerUrl: LIMITS_LOOP,
    });
    closing.push(() => transport.close());
    await transport.listen();
    const reported = await Promise.all(
      [0, 1].map((loop) => logs.waitFor((line) => line.msg === 'loop resource limits' && line.loop === loop)),
    );
    for (const line of reported) expect(line.maxYoungGenerationSizeMb).toBe(WORKER_YOUNG_GENERATION_MB);
  });
});
