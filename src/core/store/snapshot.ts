// A point-in-time copy of the whole store for BGSAVE and SAVE (Node cannot fork): every segment's read lock is
// held (writers on every thread wait, readers go on) while the control buffer and the used part of the arena
// are copied; the copy is then a store of its own that nothing else writes, read at leisure without stalling
// anyone. Two keys written by one MSET or EXEC are both in it or both out: such writes hold their keys' write
// locks throughout, and the copy needs every lock. The copy's lock words are cleared (they were copied held).

import type { TableAccess } from './access.js';
import {
  H_ARENA_UNITS,
  H_GROW_LOCK,
  H_TOP,
  H_WATCHING,
  S_LOCK,
  S_WAITERS,
  UNIT,
  segmentBase,
} from './layout.js';
import type { StoreHandles } from './types.js';

export function copyStore(a: TableAccess): StoreHandles {
  return a.withAllSegments(false, () => {
    const units = Atomics.load(a.control, H_TOP);
    const bytes = units * UNIT;
    const arena = new SharedArrayBuffer(bytes, { maxByteLength: bytes });
    new Uint8Array(arena).set(new Uint8Array(a.arena.buffer, 0, bytes));
    const control = new SharedArrayBuffer(a.control.byteLength);
    const words = new Int32Array(control);
    words.set(a.control);
    words[H_ARENA_UNITS] = units;
    words[H_GROW_LOCK] = words[H_GROW_LOCK + 1] = 0;
    words[H_WATCHING] = 0;
    for (let s = 0; s < a.segments; s++) {
      words[segmentBase(s) + S_LOCK] = 0;
      words[segmentBase(s) + S_WAITERS] = 0;
    }
    return { control, arena };
  });
}
