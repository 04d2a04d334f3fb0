// CONFIG SET on a worker thread (a pool worker, a hybrid loop): each thread keeps its own Config, so a change
// made on one reaches the others as a message the main thread relays. Redis has one thread, so once CONFIG SET
// has replied every client's next command sees the new value; here the setting thread waits, before it replies,
// until the main thread says the change is relayed: every other thread then has it in its port (and, on the
// hybrid, a moved config generation that makes its next turn read the port before any client's bytes). Both
// sides are here; the message travels on each transport's own port. Knows nothing of which settings exist.

/** The message a worker posts to the main thread. */
export interface ConfigChange {
  readonly type: 'config';
  readonly name: string;
  readonly value: string;
  /** One Int32: 0 until the main thread has relayed the change to every other thread. */
  readonly relayed: SharedArrayBuffer;
}

/**
 * How long a setting thread waits for the relay. The main thread answers within a turn of its event loop; the
 * bound is for a main thread that cannot run meanwhile (it waits for a store lock this thread holds: CONFIG SET
 * inside EXEC), which must not deadlock: the change then reaches the others as soon as the main thread runs.
 */
const RELAY_WAIT_MS = 1000;

/** Worker side: posts the change and waits until it is relayed; false when the wait ran out first. */
export function relayConfigChange(
  post: (change: ConfigChange) => void,
  name: string,
  value: string,
): boolean {
  const relayed = new SharedArrayBuffer(4);
  const cell = new Int32Array(relayed);
  post({ type: 'config', name, value, relayed });
  const deadline = Date.now() + RELAY_WAIT_MS;
  for (let left = RELAY_WAIT_MS; Atomics.load(cell, 0) === 0 && left > 0; left = deadline - Date.now()) {
    Atomics.wait(cell, 0, 0, left);
  }
  return Atomics.load(cell, 0) !== 0;
}

/** Main-thread side: the change has been applied here and posted to every other thread; wakes the setter. */
export function answerConfigChange(change: ConfigChange): void {
  const cell = new Int32Array(change.relayed);
  Atomics.store(cell, 0, 1);
  Atomics.notify(cell, 0);
}
