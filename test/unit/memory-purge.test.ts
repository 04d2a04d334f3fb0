// MEMORY PURGE's work on a thread (transport/memory-purge.ts): a GC of the thread's heap first, so that what it
// frees is in malloc's free lists, then the trim that returns those pages to the system.

import { describe, expect, it } from 'vitest';
import { memoryPurge } from '../../src/transport/memory-purge.js';
import type { NativeMemory } from '../../src/transport/threadpool/native-addon.js';

function recordingNative(calls: string[]): NativeMemory {
  return {
    releaseArrayBuffer: () => false,
    trimMemory: () => {
      calls.push('trim');
      return true;
    },
  };
}

describe('memoryPurge', () => {
  it('collects garbage, then trims, at every purge', () => {
    const calls: string[] = [];
    const purge = memoryPurge(recordingNative(calls), () => void calls.push('gc'));
    purge();
    purge();
    expect(calls).toEqual(['gc', 'trim', 'gc', 'trim']);
  });

  it('trims without a collector where V8 refused one', () => {
    const calls: string[] = [];
    memoryPurge(recordingNative(calls), null)();
    expect(calls).toEqual(['trim']);
  });
});
