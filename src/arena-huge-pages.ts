// Backs the store's arena with transparent huge pages (2 MiB) where the kernel leaves that to each program
// (/sys/kernel/mm/transparent_hugepage/enabled `madvise`, the usual default). Every lookup and write lands on an
// entry somewhere in the arena, and with 4 KiB pages one arena of 64 MB spans 16,384 of them, far more than the
// TLB holds: at a 64 MB cap nearly every entry touched was also a page walk. Measured under SET -d 1000 -P 16 -c 50
// at a 64mb allkeys-lru cap, 5 alternating rounds of one build with --arena-huge-pages no / yes: server CPU per
// SET 3.25 -> 2.97 us (median) on the event loop, 3.27 -> 3.10 us on the hybrid (2 loops).
// Redis turns huge pages off for itself (disable-thp) because fork() would copy 2 MiB per page written during a
// save; redis-lite does not fork (a save copies the store: snapshot.ts), so that cost does not apply.
// Advises the whole reservation once: a growable SharedArrayBuffer's is mapped up front, and the flag stays on
// the memory as the arena grows into it. Needs the native helper; without it, nothing changes.

import type { SharedStore } from './core/store/store.js';
import { asHugePages } from './transport/threadpool/native-addon.js';
import { loadNative } from './transport/threadpool/native.js';

/** Asks for huge pages under `store`'s arena; whether the kernel took the advice. */
export function adviseArenaHugePages(store: SharedStore): boolean {
  const native = loadNative();
  if (native instanceof Error) return false;
  const hugePages = asHugePages(native);
  if (hugePages === null) return false;
  const arena = store.handles().arena;
  return hugePages.adviseHugePages(new Uint8Array(arena), arena.maxByteLength);
}
