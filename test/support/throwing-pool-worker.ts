// A test-only entry for the pool's worker threads (ThreadPoolOptions.workerUrl): the production worker, except
// that a request holding THROW_IN_WORKER makes its session throw, as a bug in the worker would, so tests can
// check that the pool replaces a worker that threw. Runs as compiled JavaScript from dist/test/support/; the
// production worker and its protocol know nothing of it.

import { Session } from '../../src/core/session.js';
import { THROW_IN_WORKER } from './throwing-pool-worker-marker.js';

// The same module instance the worker below imports (dist/src/core/session.js), so every session it makes
// goes through this.
const receive = Session.prototype.receive;
Session.prototype.receive = function (this: Session, chunk: Buffer, length: number = chunk.length) {
  if (chunk.subarray(0, length).includes(THROW_IN_WORKER))
    throw new Error('thrown by the test worker entry, as a bug in the worker would');
  return receive.call(this, chunk, length);
};

await import('../../src/transport/threadpool/worker.js');
