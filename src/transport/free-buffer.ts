// Frees a query buffer a session has let go of now, not at the thread's next garbage collection: a pool worker
// between clients never collects, and a hybrid loop's dead buffers, waiting for its collector, are freed in
// between other allocations that pin its malloc arena's pages (bench/eviction.ts's cap load). Knows buffers and
// the native detach only: the session decides which buffer is dead.

import type { NativeMemory } from './threadpool/native-addon.js';

/** Smaller buffers come from Node's shared slab or cost too little to matter: left to the GC. */
export const RELEASE_MIN_BYTES = 64 * 1024;

/**
 * Frees `buffer` if it is large and owns its memory (no other view of it can exist: a buffer made with
 * allocUnsafe at this size has an ArrayBuffer of its own); every view of it becomes empty. Returns whether it did.
 */
export function freeOwnedBuffer(native: NativeMemory, buffer: Buffer): boolean {
  if (buffer.length < RELEASE_MIN_BYTES) return false;
  const memory = buffer.buffer;
  if (!(memory instanceof ArrayBuffer) || buffer.byteOffset !== 0 || memory.byteLength !== buffer.length)
    return false;
  return native.releaseArrayBuffer(memory);
}
