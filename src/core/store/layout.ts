// The shared memory layout of the store, as named constants imported by every thread (like pino's
// thread-stream): the control buffer (locks, counters, free-list heads, the databases) and the entry format
// in the arena. Pure constants and index arithmetic: no allocation, locking or semantics here.
//
// Databases: a key's segment (its lock) and bucket come from its bytes alone, whatever database it is in, so a
// command's locks never depend on the database (MOVE's key is in one segment in both; EXEC locks by key). Each
// segment holds one small index per physical database (a "shard": physical db x segment, numbered by the int
// index of its header), and the logical database a client SELECTs maps to a physical one through a table that
// SWAPDB permutes under every segment's write lock (O(1) in keys). So that table may be read under any one
// segment lock.

/** Bumped when the layout changes, so attach() refuses a buffer from another version. */
export const MAGIC = 0x524c5335; // "RLS5"

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
/**
 * Non-zero once a thread was stopped by force (worker.terminate()) while it may have held store locks: locks it
 * held are never released, so waits on them give up (lock-abandonment.ts). Written once; read by lock waiters
 * only after they have slept.
 */
export const H_LOCKS_ABANDONED = 5;
/** Active-expiry cursor: segment, physical database and bucket where the next cycle resumes. */
export const H_EXPIRE_SEGMENT = 7;
export const H_EXPIRE_BUCKET = 8;
export const H_EXPIRE_DB = 13;
/** Where the bump pointer starts after a flush (just past the unit reserved as null). */
export const H_FIRST_UNIT = 9;
/** Largest value in bytes (proto-max-bulk-len) that APPEND/SETRANGE may build; shared so every thread agrees. */
export const H_MAX_VALUE = 10;
/**
 * Clients with at least one WATCHed key, on any thread (watch.ts). While it is 0 a write stamps nothing, so
 * WATCH costs the write path one load of this read-mostly word.
 */
export const H_WATCHING = 11;
/** Number of databases (the `databases` setting), fixed when the store is created. */
export const H_DATABASES = 12;
/**
 * Redis's server.lruclock: seconds on the store's clock, low LRU_BITS bits, that a key's access is stamped with
 * (E_OBJECT). Refreshed by the server cron (refreshAccessClock), so an access reads a word instead of a clock.
 */
export const H_LRU_CLOCK = 14;
/**
 * Bump pointer of the arena, in units, advanced with compareExchange by any thread holding a segment lock. On
 * its own cache line with the grow lock: every op reads H_ARENA_UNITS, and a CAS on a pointer sharing its
 * line would make that read a cache miss on the other cores.
 */
export const H_TOP = 16;
/** A writer-only lock (same code as the segment locks) serialising SharedArrayBuffer.grow. */
export const H_GROW_LOCK = 18; // H_GROW_LOCK + 1 is its waiter count
/**
 * When a container leaves its compact encoding (hash-max-listpack-entries and friends: CONFIG SET on any thread
 * reaches every thread at once). Int32s; the store caps larger settings at 2^31 - 1.
 */
export const H_HASH_MAX_LISTPACK_ENTRIES = 32;
export const H_HASH_MAX_LISTPACK_VALUE = 33;
/** list-max-listpack-size: > 0 a node's most elements, -1..-5 its most bytes (4, 8, 16, 32, 64 KiB). */
export const H_LIST_MAX_LISTPACK_SIZE = 34;
export const H_SET_MAX_INTSET_ENTRIES = 35;
export const H_ZSET_MAX_LISTPACK_ENTRIES = 36;
export const H_ZSET_MAX_LISTPACK_VALUE = 37;
/** hll-sparse-max-bytes: past it a sparse HyperLogLog becomes dense (hyperloglog/hll-string.ts). */
export const H_HLL_SPARSE_MAX_BYTES = 47;
/**
 * Redis as a cache (eviction.ts): maxmemory (a Float64 slot: int index H_MAXMEMORY_F64 * 2), the policy (POLICY_*),
 * maxmemory-samples, maxmemory-eviction-tenacity, lfu-log-factor and lfu-decay-time, shared so CONFIG SET on any
 * thread reaches every thread's next command; and LFU's clock, minutes in 16 bits (evict.c LFUGetTimeInMinutes),
 * refreshed with H_LRU_CLOCK.
 */
export const H_MAXMEMORY_F64 = 19; // ints 38 and 39
export const H_MAXMEMORY_POLICY = 40;
export const H_MAXMEMORY_SAMPLES = 41;
export const H_LFU_LOG_FACTOR = 42;
export const H_LFU_DECAY_TIME = 43;
export const H_EVICTION_TENACITY = 44;
/** Bumped when BGREWRITEAOF replaces the append-only file: each thread reopens it before its next append. */
export const H_AOF_GENERATION = 45;
/**
 * appendonly as every thread must see it at once (aof/aof-state.ts): 0 off, 1 on, 2 on and waiting for the
 * rewrite that writes the data so far (CONFIG SET appendonly yes). Read by every write command: a settings word.
 */
export const H_AOF_STATE = 46;
export const H_LFU_MINUTES = 3;
/**
 * CLIENT PAUSE (client-pause.ts): the pause in force, 0 none, 1 WRITE, 2 ALL. On the read-mostly line: every
 * command reads it (one load while no pause is set); written only by CLIENT PAUSE / UNPAUSE and when a pause ends.
 */
export const H_CLIENT_PAUSE = 6;
/** The pause's end, ms on the server's clock (a Float64 slot: ints 70 and 71), read only while a pause is set. */
export const H_CLIENT_PAUSE_END_F64 = 35;
/** A writer-only lock word (0 free, 1 held) around a change of the pause's type and end, which go together. */
export const H_CLIENT_PAUSE_CHANGING = 72;
/**
 * Bytes the process holds outside the store (the creating thread's JavaScript heap at start-up), added to the
 * store's own for INFO used_memory (used_memory_startup): one figure, whichever thread answers INFO.
 */
export const H_PROCESS_BASELINE = 15;
/**
 * The append-only file's order (src/core/aof/): a writer-only lock (H_AOF_LOCK + 1 its waiter count) every thread
 * takes around its write(2) to the file, and the database the file's last SELECT chose, so a record names its
 * database only when it changes, whichever thread wrote the one before.
 */
export const H_AOF_LOCK = 48; // H_AOF_LOCK + 1 is its waiter count
export const H_AOF_DB = 50;
/**
 * The append-only file's rewrite (aof/aof-state.ts), written only when one is asked for, starts or ends: its state
 * (0 none, 1 scheduled, 2 in progress), when it started, the last one's seconds and status, counts, the size of
 * the file the last one wrote (a Float64 slot: ints 56 and 57), an epoch that turning appendonly off bumps to
 * cancel a running one, and a counter bumped to wake the main thread, which runs them.
 */
export const H_AOF_REWRITE = 51;
export const H_AOF_REWRITE_STARTED = 52;
export const H_AOF_LAST_REWRITE_SECONDS = 53;
export const H_AOF_REWRITE_FAILED = 54;
export const H_AOF_REWRITES = 55;
export const H_AOF_BASE_SIZE_F64 = 28; // ints 56 and 57
export const H_AOF_REWRITE_FAILURES = 58;
export const H_AOF_REWRITE_EPOCH = 60;
export const H_AOF_WAKE = 61;
/** A BGSAVE SCHEDULE that came while a rewrite ran: the main thread starts it once the rewrite ends. */
export const H_BGSAVE_SCHEDULED = 62;
/**
 * The sequence number of the incremental file records go to (aof/aof-files.ts logPath; 0: the turn-on's temporary
 * one), changed only under the append lock with H_AOF_GENERATION, so a thread that reopens reads the right name.
 */
export const H_AOF_INCR_SEQ = 63;
/**
 * The arena's shared free lists (arena.ts): a writer-only lock (H_SHARED_FREE_LOCK + 1 its waiter count), taken
 * only while holding a segment's write lock and never the other way round, and the bytes on those lists (a Float64
 * slot: ints 66 and 67). On a line of their own: every allocation that misses its segment's lists writes them.
 */
export const H_SHARED_FREE_LOCK = 64;
export const H_SHARED_FREE_BYTES_F64 = 33;
/**
 * The highest used_memory seen (Redis's stat_peak_memory; a 64-bit integer slot: ints 68 and 69), raised by a CAS
 * from any thread (the server cron, the maxmemory check before a command, INFO), read by INFO and MEMORY STATS.
 */
export const H_MEMORY_PEAK_F64 = 34;
/** maxmemory-policy values: a policy is LFU for 2 and 5, volatile from 4 on (only keys with a TTL go). */
export const POLICY_NOEVICTION = 0;
export const POLICY_ALLKEYS_LRU = 1;
export const POLICY_ALLKEYS_LFU = 2;
export const POLICY_ALLKEYS_RANDOM = 3;
export const POLICY_VOLATILE_LRU = 4;
export const POLICY_VOLATILE_LFU = 5;
export const POLICY_VOLATILE_RANDOM = 6;
export const POLICY_VOLATILE_TTL = 7;
/**
 * The header's five 64-byte lines: ints 0-15 read-mostly (clocks, sizes, the start-up figures); 16-31 the bump
 * pointer and the grow lock alone, which every allocating thread writes; 32-47 the settings every thread reads
 * (container thresholds, eviction), which change only on CONFIG SET; 48-63 the append-only file's lock and
 * database, written on every append; 64-79 the shared free lists' lock and byte count. A word read on every
 * command must never share the bump pointer's line.
 */
export const HEADER_INTS = 80;
/**
 * stream-node-max-bytes and stream-node-max-entries (stream.ts), read by each XADD: the settings' line is full, so
 * they sit after the free lists' lock and count, whose writes (frees to the shared lists) are rare next to reads.
 */
export const H_STREAM_NODE_MAX_BYTES = 73;
export const H_STREAM_NODE_MAX_ENTRIES = 74;
/**
 * The append-only file's failures (aof/aof-state.ts): a word of flags (AOF_WRITE_FAILED: Redis's
 * aof_last_write_status is C_ERR; AOF_FSYNC_FAILED: its aof_bio_fsync_status, appendfsync everysec's background
 * sync), read before every write command (writeCommandsDeniedByDiskError) and so not on the append lock's line,
 * which every append writes; and the errno of each, read only while its flag is set. Written only when a write or
 * a sync fails or recovers.
 */
export const H_AOF_FAILURES = 75;
export const H_AOF_WRITE_ERRNO = 76;
export const H_AOF_FSYNC_ERRNO = 77;

// Per segment, one 64-byte line (16 ints) so two segments' locks never share a cache line.
export const SEGMENT_INTS = 16;
/** Readers-writer lock word: 0 free, n > 0 readers, -1 a writer. */
export const S_LOCK = 0;
/** Threads sleeping in Atomics.wait on S_LOCK (unlockers notify only when it is non-zero). */
export const S_WAITERS = 1;
/** Keys with an expiry in the segment, every database together: active expiry skips a segment without any. */
export const S_VOLATILE = 2;
/** Float64 slots (index into the Float64Array = (int index) / 2): live bytes and the expired-keys counter. */
export const S_USED_BYTES = 8;
export const S_EXPIRED = 10;
/** Float64 slot: keys evicted from the segment (INFO evicted_keys). */
export const S_EVICTED = 12;
/** Float64 slot: bytes on the segment's own free lists (arena.ts keeps them under SEGMENT_FREE_BYTES). */
export const S_FREE_BYTES = 14;

/** Small blocks up to this many units (1 KiB) have exact-size free lists. */
export const SMALL_MAX_UNITS = 128;
/** Larger free blocks sit in bins by power of two (bin k: 2^k <= units < 2^(k+1)), best fit within a bin. */
export const LARGE_BINS = 32;
/** The smallest block worth keeping when a large free block is split (an entry header is 4 units). */
export const MIN_SPLIT_UNITS = 4;
/**
 * Free-list heads per segment: exact small classes 0..SMALL_MAX_UNITS, then the large bins. One more set of heads
 * follows the segments' own: the shared lists (a segment number equal to the segment count), guarded by
 * H_SHARED_FREE_LOCK, where a segment's frees beyond its share go so that any segment can reuse them.
 */
const FREE_HEADS = SMALL_MAX_UNITS + 1 + LARGE_BINS;
/** Int index just past the free-list heads: every segment's, then the shared ones. */
function freeHeadsEnd(segments: number): number {
  return HEADER_INTS + segments * SEGMENT_INTS + (segments + 1) * FREE_HEADS;
}

export function segmentBase(segment: number): number {
  return HEADER_INTS + segment * SEGMENT_INTS;
}

/** Int index of the head of segment's exact-size free list for blocks of `units` (1..SMALL_MAX_UNITS); segment
 * `segments` names the shared lists. */
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
 * overflow pair (watchers, version), then WATCH_SLOTS slots of (key hash, physical db, watchers, version).
 */
export const WATCH_SLOTS = 16;
export const W_OVERFLOW_WATCHERS = 0;
export const W_OVERFLOW_VERSION = 1;
export const W_FIRST_SLOT = 2;
export const W_SLOT_INTS = 4;
const WATCH_INTS = W_FIRST_SLOT + WATCH_SLOTS * W_SLOT_INTS;

/** Int index of segment's WATCH registry; WATCH_INTS ints follow. */
export function watchRegistry(segments: number, segment: number): number {
  return freeHeadsEnd(segments) + segment * WATCH_INTS;
}

/** The most databases a store holds: each costs every segment a 16-byte index header (1 KiB at 64 segments). */
export const MAX_DATABASES = 16384;

/** Int index of the database table: `databases` ints, logical db -> physical db, permuted by SWAPDB. */
export function databaseMap(segments: number): number {
  return freeHeadsEnd(segments) + segments * WATCH_INTS;
}

// Per shard (one physical database's part of one segment), four ints, all 0 for an empty shard that has no
// index yet: a one-bucket index at unit 0, which is never handed out and stays 0, so lookups need no branch.
/** Unit offset of the shard's bucket array (uint32 entry offsets), 0 until its first key. */
export const D_INDEX = 0;
/** Buckets - 1 (the bucket count is a power of two). */
export const D_MASK = 1;
export const D_KEYS = 2;
/** Keys with an expiry. */
export const D_EXPIRES = 3;
export const SHARD_INTS = 4;

/**
 * Ints from one segment's shard headers to the next: the segment's databases side by side, padded to a power of
 * two of at least a 64-byte line, so two threads working in two segments never write one cache line, and a
 * shard's segment and database come out of its number with shifts (table.ts).
 */
export function shardStride(databases: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(16, databases * SHARD_INTS)));
}

/** Int index of the first shard header (segment 0, physical db 0). */
export function shardHeaders(segments: number, databases: number): number {
  return Math.ceil((databaseMap(segments) + databases) / 16) * 16;
}

export function controlBytes(segments: number, databases: number): number {
  const ints = shardHeaders(segments, databases) + segments * shardStride(databases);
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
/**
 * The value's object header, what Redis keeps in its robj (OBJECT, DEBUG OBJECT; objects.ts): bits 0-23 the
 * access clock (H_LRU_CLOCK) at its last access, robj.lru (under an LFU policy, as in Redis: the minutes of its
 * last decrement in bits 8-23 and a logarithmic access counter in bits 0-7; lfu.ts); bits 24-25 how its encoding is known (OBJ_*). Bits
 * 26-31 are free. Written under the key's write lock, except the access bits, which a reader stamps too (every
 * reader stores the same clock, and the other bits change only under the write lock). Bits 26-28: the value's
 * type (T_*: a string or a container, containers.ts); bits 29-31: a container's encoding (ENC_*), which says
 * what its value bytes hold.
 */
export const E_OBJECT = 5;
export const LRU_BITS = 24;
export const LRU_MASK = (1 << LRU_BITS) - 1;
/** As Redis's tryObjectEncoding leaves a value set whole (SET, MSET, INCR): int, embstr or raw by its bytes. */
export const OBJ_AS_SET = 0;
/** As createStringObject makes one (INCRBYFLOAT): embstr or raw by its length, never int. */
export const OBJ_STRING = 1;
/** Raw whatever its bytes: a value edited in place (APPEND, SETRANGE: dbUnshareStringValue). */
export const OBJ_RAW = 2;
/** An integer object of its own where Redis would share one (COPY of a small integer: dupStringObject). */
export const OBJ_INT_OWN = 3;
/** The value's type (robj.type), bits 26-28 of E_OBJECT: every string is T_STRING, so strings never set it. */
export const TYPE_SHIFT = 26;
export const T_STRING = 0;
export const T_LIST = 1;
export const T_SET = 2;
export const T_ZSET = 3;
export const T_HASH = 4;
export const T_STREAM = 5;
/** A container's encoding (robj.encoding), bits 29-31 of E_OBJECT; each type numbers its own from 0. */
export const ENCODING_SHIFT = 29;
/** Lists: a listpack in the value bytes (small), or a quicklist of listpack nodes the value points to. */
export const ENC_LIST_LISTPACK = 0;
export const ENC_LIST_QUICKLIST = 1;
/** Sets (Redis 7.0 has no listpack sets): sorted integers in the value bytes, or a hash table it points to. */
export const ENC_SET_INTSET = 0;
export const ENC_SET_HASHTABLE = 1;
/** Sorted sets: a listpack of member, score pairs in score order, or a skip list plus a hash table. */
export const ENC_ZSET_LISTPACK = 0;
export const ENC_ZSET_SKIPLIST = 1;
/** Hashes: a listpack of field, value pairs, or a hash table. */
export const ENC_HASH_LISTPACK = 0;
export const ENC_HASH_HASHTABLE = 1;
/** Streams: Redis's only encoding, listpack nodes found through an index the value points to (stream.ts). */
export const ENC_STREAM_LISTPACKS = 0;
/** Float64 index offset (in units from e) of the absolute expiry in ms; 0 means none. */
export const E_EXPIRE_AT_F64 = 3;
export const ENTRY_HEADER_BYTES = 32;

/** A free block's words: its list link (same word as E_NEXT) and, in the large bins, its size in units. */
export const F_NEXT = 0;
export const F_UNITS = 1;

export function unitsFor(bytes: number): number {
  return Math.ceil(bytes / UNIT);
}
