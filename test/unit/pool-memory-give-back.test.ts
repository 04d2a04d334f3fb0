// The pool worker's memory policy (src/transport/threadpool/memory-give-back.ts) with a fake native helper and
// clock: only large buffers that own their memory are freed at once; a client that needed one is followed by a
// full GC then malloc_trim, at most once per TRIM_INTERVAL_MS (a later one is deferred, not dropped); a client
// that needed none is followed by nothing.

import { describe, expect, it } from 'vitest';
import {
  MemoryGiveBack,
  RELEASE_MIN_BYTES,
  TRIM_INTERVAL_MS,
} from '../../src/transport/threadpool/memory-give-back.js';
import type { NativeMemory } from '../../src/transport/threadpool/native-addon.js';

function setup() {
  const calls: string[] = [];
  let now = 10_000;
  const timers: { at: number; run: () => void }[] = [];
  const native: NativeMemory = {
    releaseArrayBuffer: (buffer) => {
      calls.push(`release ${buffer.byteLength}`);
      return true;
    },
    trimMemory: () => {
      calls.push('trim');
      return true;
    },
  };
  let released = 0;
  let trimmed = 0;
  const memory = new MemoryGiveBack({
    native,
    collectGarbage: () => calls.push('gc'),
    onReleased: () => released++,
    onTrimmed: () => trimmed++,
    clock: () => now,
    schedule: (run, ms) => timers.push({ at: now + ms, run }),
  });
  return {
    memory,
    calls,
    counts: () => ({ released, trimmed }),
    advance(ms: number) {
      now += ms;
      for (const timer of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.run();
      }
    },
    pendingTimers: () => timers.length,
  };
}

describe('MemoryGiveBack', () => {
  it('frees large buffers that own their memory, and nothing else', () => {
    const { memory, calls, counts } = setup();
    memory.release(Buffer.allocUnsafe(RELEASE_MIN_BYTES - 1));
    const shared = Buffer.allocUnsafe(4 * RELEASE_MIN_BYTES);
    memory.release(shared.subarray(RELEASE_MIN_BYTES)); // a view into a larger buffer: others may use the rest
    expect(calls).toEqual([]);
    memory.release(Buffer.allocUnsafe(RELEASE_MIN_BYTES));
    expect(calls).toEqual([`release ${RELEASE_MIN_BYTES}`]);
    expect(counts()).toEqual({ released: 1, trimmed: 0 });
  });

  it('after a client that needed a large buffer: a full GC, then malloc_trim; after an ordinary one: nothing', () => {
    const { memory, calls, counts } = setup();
    memory.clientEnded();
    expect(calls).toEqual([]);
    memory.release(Buffer.allocUnsafe(RELEASE_MIN_BYTES));
    memory.clientEnded();
    expect(calls).toEqual([`release ${RELEASE_MIN_BYTES}`, 'gc', 'trim']);
    expect(counts().trimmed).toBe(1);
    memory.clientEnded(); // nothing released since the trim
    expect(counts().trimmed).toBe(1);
  });

  it('trims at most once per interval: an outsized client ending sooner has its trim deferred, once', () => {
    const { memory, counts, advance, pendingTimers } = setup();
    memory.release(Buffer.allocUnsafe(RELEASE_MIN_BYTES));
    memory.clientEnded();
    advance(100);
    memory.release(Buffer.allocUnsafe(RELEASE_MIN_BYTES));
    memory.clientEnded();
    memory.release(Buffer.allocUnsafe(RELEASE_MIN_BYTES));
    memory.clientEnded();
    expect(counts().trimmed).toBe(1);
    expect(pendingTimers()).toBe(1);
    advance(TRIM_INTERVAL_MS - 101);
    expect(counts().trimmed).toBe(1);
    advance(1);
    expect(counts().trimmed).toBe(2);
    expect(pendingTimers()).toBe(0);
  });

  it('without the native calls, leaves everything to the GC', () => {
    let released = 0;
    const memory = new MemoryGiveBack({
      native: null,
      onReleased: () => released++,
      onTrimmed: () => released++,
    });
    const buffer = Buffer.allocUnsafe(RELEASE_MIN_BYTES);
    memory.release(buffer);
    memory.clientEnded();
    expect(buffer.length).toBe(RELEASE_MIN_BYTES);
    expect(released).toBe(0);
  });
});
