// MEMORY PURGE on a thread that runs commands. Redis 7.0 (object.c memoryCommand) asks jemalloc to purge its
// dirty pages; here the process's memory is the store's arena (SharedArrayBuffers, which JavaScript cannot give
// back in part), each thread's V8 heap and glibc's malloc (Node's buffers, V8's own structures). So: a full GC of
// this thread's heap, whose dead buffers go back to malloc, then malloc_trim(0), which returns free pages to the
// system. One trim serves every thread: glibc's malloc_trim walks every arena (malloc.c __malloc_trim), not only
// the caller's. Other threads' heaps are collected on their own schedule (a pool worker also after an outsized
// client: memory-give-back.ts). Knows the native calls and V8's collector only.

import { garbageCollector } from './threadpool/collect-garbage.js';
import type { NativeMemory } from './threadpool/native-addon.js';

/**
 * The purge for this thread. `native` null (no helper built): the GC alone. The collector is asked of V8 at the
 * first purge (collect-garbage.ts sets a process-wide flag), unless the thread already has one (`collect`).
 */
export function memoryPurge(native: NativeMemory | null, collect?: (() => void) | null): () => void {
  let collector = collect;
  return () => {
    if (collector === undefined) collector = garbageCollector();
    collector?.();
    native?.trimMemory();
  };
}
