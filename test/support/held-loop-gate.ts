// The environment variable naming held-loop-worker.ts's gate file: its own module, so a test imports it without
// running the worker entry.

export const HELD_LOOP_GATE = 'HELD_LOOP_GATE';
