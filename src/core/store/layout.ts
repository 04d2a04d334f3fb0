// The shared memory layout of the store, as named constants imported by every thread (like pino's
// thread-stream): the control buffer (locks, counters, free-list heads) and the entry format in the arena.
// Pure constants and index arithmetic: no allocation, locking or semantics here.

/** Bumped when the layout changes, so attach() refuses a buffer from another version. */
export const MAGIC = 0x524c5332; // "RLS2"

/** Every arena offset is a uint32 count of 8-byte units; 0 is the null offset (unit 0 is never handed out). */
export const UNIT = 8;

// ---- Control buffer: an Int32Array (and a Float64Array over the same bytes for byte counters). ----
// Header: a read-mostly 64-byte line, then the bump pointer and grow lock on a line of their own.
export const H_MAGIC = 0;
export const H_SEGMENTS = 1;
/** Hash seed, random per store, so key hashes cannot be precomputed by a client (hash flooding). */
export const H_SEED = 2;
/** Arena length in units, published after every grow; threads re-create their views when it changes. */
export const H_ARENA_UNITS = 4;
/** Active-expiry cursor: segment and bucket where the next cycle resumes. */
export const H_EXPIRE_SEGMENT = 7;
export const H_EXPIRE_BUCKET = 8;
/** Where the bump pointer starts after a flush (just past the unit reserved as null). */
export const H_FIRST_UNIT = 9;
/** Largest value in bytes (proto-max-bulk-len) that APPEND/SETRANGE may build; shared so every thread agrees. */
export const H_MAX_VALUE = 10;
/**
 * Clients with at least one WATCHed key, on any thread (watch.ts). While it is 0 a write stamps nothing, so
 * WATCH costs the write path one load of this read-mostly word.
 */
export const H_WATCHING = 11;
/**
 * Bump pointer of the arena, in units, advanced with compareExchange by any thread holding a segment lock. On
 * its own cache line with the grow lock: every op reads H_ARENA_UNITS, and a CAS on a pointer sharing its
 * line would make that read a cache miss on the other cores.
 */
export const H_TOP = 16;
/** A writer-only lock (same code as the segment locks) serialising SharedArrayBuffer.grow. */
export const H_GROW_LOCK = 18; // H_GROW_LOCK + 1 is its waiter count
export const HEADER_INTS = 32;

// Per segment, one 64-byte line (16 ints) so two segments' locks never share a cache line.
export const SEGMENT_INTS = 16;
/** Readers-writer lock word: 0 free, n > 0 readers, -1 a writer. */
export const S_LOCK = 0;
/** Threads sleeping in Atomics.wait on S_LOCK (unlockers notify only when it is non-zero). */
export const S_WAITERS = 1;
/** Unit offset of the bucket array (uint32 entry offsets) and its length, a power of two. */
export const S_INDEX = 2;
export const S_BUCKETS = 3;
export const S_KEYS = 4;
export const S_EXPIRES = 5;
/** Float64 slots (index into the Float64Array = (int index) / 2): live bytes and the expired-keys counter. */
export const S_USED_BYTES = 8;
export const S_EXPIRED = 10;

/** Small blocks up to this many units (1 KiB) have exact-size free lists. */
export const SMALL_MAX_UNITS = 128;
/** Larger free blocks sit in bins by power of two (bin k: 2^k <= units < 2^(k+1)), best fit within a bin. */
export const LARGE_BINS = 32;
/** The smallest block worth keeping when a large free block is split (an entry header is 4 units). */
export const MIN_SPLIT_UNITS = 4;
/** Free-list heads per segment: exact small classes 0..SMALL_MAX_UNITS, then the large bins. */
const FREE_HEADS = SMALL_MAX_UNITS + 1 + LARGE_BINS;

export function segmentBase(segment: number): number {
  return HEADER_INTS + segment * SEGMENT_INTS;
}

/** Int index of the head of segment's exact-size free list for blocks of `units` (1..SMALL_MAX_UNITS). */
export function smallFreeHead(segments: number, segment: number, units: number): number {
  return HEADER_INTS + segments * SEGMENT_INTS + segment * FREE_HEADS + units;
}

/** Int index of the head of segment's large free bin `bin` (31 - clz32(units)). */
export function largeFreeHead(segments: number, segment: number, bin: number): number {
  return HEADER_INTS + segments * SEGMENT_INTS + segment * FREE_HEADS + SMALL_MAX_UNITS + 1 + bin;
}

/** Int index of segment's first free-list head; FREE_HEADS ints follow. */
export function freeHeads(segments: number, segment: number): [start: number, end: number] {
  const start = smallFreeHead(segments, segment, 0);
  return [start, start + FREE_HEADS];
}

/**
 * WATCH's registry, per segment after the free-list heads and guarded by the segment's lock (watch.ts): an
 * overflow pair (watchers, version), then WATCH_SLOTS slots of (key hash, watchers, version).
 */
export const WATCH_SLOTS = 16;
export const W_OVERFLOW_WATCHERS = 0;
export const W_OVERFLOW_VERSION = 1;
export const W_FIRST_SLOT = 2;
export const W_SLOT_INTS = 3;
const WATCH_INTS = W_FIRST_SLOT + WATCH_SLOTS * W_SLOT_INTS;

/** Int index of segment's WATCH registry; WATCH_INTS ints follow. */
export function watchRegistry(segments: number, segment: number): number {
  return HEADER_INTS + segments * (SEGMENT_INTS + FREE_HEADS) + segment * WATCH_INTS;
}

export function controlBytes(segments: number): number {
  const ints = HEADER_INTS + segments * (SEGMENT_INTS + FREE_HEADS + WATCH_INTS);
  return Math.ceil((ints * 4) / 64) * 64;
}

// ---- Entries in the arena. Offsets below are in uint32 words from the entry's first word (e * 2). ----
// A 32-byte header then the key bytes then the value bytes, rounded up to 8 bytes (plus any slack that
// APPEND/SETRANGE left for in-place growth): a 16-byte key with a 16-byte value is exactly 64 bytes.
/** Next entry in the bucket chain (unit offset, 0 ends the chain). Also the next link of a free block. */
export const E_NEXT = 0;
/** The key's full 32-bit hash: skips byte compares on a chain and makes index doubling a re-link, no rehash. */
export const E_HASH = 1;
export const E_KEY_LEN = 2;
export const E_VALUE_LEN = 3;
/** Size of this block in units (header + key + value capacity). Also the size field of a large free block. */
export const E_BLOCK_UNITS = 4;
/** Float64 index offset (in units from e) of the absolute expiry in ms; 0 means none. */
export const E_EXPIRE_AT_F64 = 3;
export const ENTRY_HEADER_BYTES = 32;

/** A free block's words: its list link (same word as E_NEXT) and, in the large bins, its size in units. */
export const F_NEXT = 0;
export const F_UNITS = 1;

export function unitsFor(bytes: number): number {
  return Math.ceil(bytes / UNIT);
}
