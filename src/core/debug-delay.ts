// Redis's debugDelay (debug.c), the sleep rdb-key-save-delay puts after every key a save writes, so tests can
// hold a save in progress: `micros` microseconds, or for a negative -n one microsecond with a chance of 1 in n
// (a shorter delay on average than any sleep can be). Blocks the calling thread.

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

export function debugDelay(micros: number): void {
  const usec = micros < 0 ? (Math.floor(Math.random() * -micros) === 0 ? 1 : 0) : micros;
  if (usec > 0) Atomics.wait(SLEEPER, 0, 0, usec / 1000);
}
