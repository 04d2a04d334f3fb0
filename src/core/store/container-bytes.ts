// Editing a compact container's value bytes (a listpack, an intset) under its key's write lock: replace a range
// of them with other bytes, in place when the entry's block has room (a memmove, as Redis's listpack edits
// are), else in a new block with a little slack for the next growth, keeping the entry's type, encoding and
// expiry. Knows the entry format through the table; nothing of what the bytes mean.

import type { TableAccess } from './access.js';
import { ENTRY_HEADER_BYTES, LRU_MASK, UNIT } from './layout.js';
import type { Bytes } from './types.js';
import { writeBytes } from './values.js';

/**
 * Replaces `remove` bytes at offset `at` of the entry's value with `insert`. Returns the entry now holding the
 * value (a new one when it had to grow or shrink a lot). May grow the arena: re-read its views after.
 */
export function spliceValueLocked(
  a: TableAccess,
  shard: number,
  key: Bytes,
  entry: number,
  at: number,
  remove: number,
  insert: Uint8Array,
): number {
  const t = a.table;
  const length = t.valueLength(entry);
  const newLength = length - remove + insert.length;
  if (newLength <= t.valueCapacity(entry) && !wasteful(a, entry, newLength)) {
    const start = t.valueStart(entry);
    if (insert.length !== remove) {
      a.arena.u8.copyWithin(start + at + insert.length, start + at + remove, start + length);
    }
    writeBytes(a, start + at, insert);
    t.setValueLength(entry, newLength);
    return entry;
  }
  // Growing: an eighth more room, so a run of appends moves the value about log(n) times, not n (jemalloc's
  // size classes give Redis's listpacks similar slack).
  const capacity = newLength > length ? newLength + (newLength >>> 3) : newLength;
  const created = t.newEntry(shard, t.hashOf(entry), key, newLength, capacity);
  t.newObject(created, t.objectWord(entry) & ~LRU_MASK);
  const from = t.valueStart(entry);
  const to = t.valueStart(created);
  const u8 = a.arena.u8;
  u8.copyWithin(to, from, from + at);
  writeBytes(a, to + at, insert);
  u8.copyWithin(to + at + insert.length, from + at + remove, from + length);
  t.replace(shard, entry, created, t.expireAt(entry));
  return created;
}

/** A block more than twice what the value needs is given back (a container that shrank a lot). */
function wasteful(a: TableAccess, entry: number, valueLength: number): boolean {
  const needed = Math.ceil((ENTRY_HEADER_BYTES + a.table.keyLength(entry) + valueLength) / UNIT);
  return a.table.blockUnits(entry) > needed * 2 + 8;
}
