// SHUTDOWN run on a worker thread (a pool worker, a hybrid loop): only the main thread runs the server's
// shutdown routine and can exit the process, so the worker posts the request with a fresh answer cell and blocks
// on it, as Redis blocks the client (BLOCKED_SHUTDOWN) until the shutdown fails or the process is gone. Both
// sides are here; the message travels on each transport's own port. Knows nothing of what the routine does.

import type { ShutdownFlags } from './command.js';

/** The message a worker posts to the main thread. */
export interface ShutdownRequest {
  readonly type: 'shutdown';
  readonly flags: ShutdownFlags;
  /** One Int32: PENDING until the main thread answers. */
  readonly answer: SharedArrayBuffer;
}

const PENDING = 0;
const REFUSED = 1;
const GOING_DOWN = 2;

/** Worker side: true when the server is going down (the process exits around this thread), false if refused. */
export function askMainThreadToShutDown(
  post: (request: ShutdownRequest) => void,
  flags: ShutdownFlags,
): boolean {
  const answer = new SharedArrayBuffer(4);
  const cell = new Int32Array(answer);
  post({ type: 'shutdown', flags, answer });
  while (Atomics.load(cell, 0) === PENDING) Atomics.wait(cell, 0, PENDING);
  return Atomics.load(cell, 0) === GOING_DOWN;
}

/**
 * Main-thread side: runs `shutdown` (absent: refused) and wakes the asker with its verdict. The verdict is given
 * before the routine exits the process only if it returns; a process that exits takes the asker with it.
 */
export function answerShutdownRequest(
  request: ShutdownRequest,
  shutdown: ((flags: ShutdownFlags) => boolean) | undefined,
): void {
  let goingDown = false;
  try {
    goingDown = shutdown?.(request.flags) ?? false;
  } finally {
    const cell = new Int32Array(request.answer);
    Atomics.store(cell, 0, goingDown ? GOING_DOWN : REFUSED);
    Atomics.notify(cell, 0);
  }
}
