// A test-only entry for the hybrid's loop threads (HybridOptions.workerUrl): the production loop, except that
// loop 1 starts only once the file named by HELD_LOOP_GATE exists, so a test can act while the server is half
// started (loop 0 running, loop 1 not yet). Runs as compiled JavaScript from dist/test/support/; the production
// loop and its protocol know nothing of it.

import { existsSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { HELD_LOOP_GATE } from './held-loop-gate.js';

// The worker got a copy of the test's environment when it was spawned.
const gate = process.env[HELD_LOOP_GATE];
if ((workerData as { index: number }).index === 1 && gate !== undefined) {
  // Blocks this thread only, as a slow start would: the loop has not begun, so nothing else of it waits.
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(gate)) Atomics.wait(pause, 0, 0, 5);
}

await import('../../src/transport/hybrid/loop-worker.js');
