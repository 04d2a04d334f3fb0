// A test-only entry for the hybrid's loop threads (HybridOptions.workerUrl): posts the thread's resourceLimits as a
// debug log line (the loop protocol's 'log' message, which the main thread logs with the loop's index), then runs
// the production loop. Runs as compiled JavaScript from dist/test/support/; the production loop knows nothing of it.

import { parentPort, resourceLimits } from 'node:worker_threads';

parentPort?.postMessage({
  type: 'log',
  level: 'debug',
  msg: 'loop resource limits',
  fields: { ...resourceLimits },
});

await import('../../src/transport/hybrid/loop-worker.js');
