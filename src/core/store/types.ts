// The store's public contract: semantic key-value operations, the only way commands touch data.
// Implemented once (store.ts) over a SharedArrayBuffer so every worker thread sees the same keyspace.
// A KeyValueStore is one logical database's view of the store (Redis's c->db): its key operations act on that
// database; select() gives the view of another, and the store-wide operations (FLUSHALL, SWAPDB, stats) are
// the same from every view.
// Every operation is atomic with respect to every other, on any thread; multi-key operations too.
// Domain failures throw CommandError with Redis's exact message (ERR in errors.ts); nothing else is thrown
// for client input. Keys and values are arbitrary bytes. Times are absolute milliseconds on the store's clock.

import type { TouchedHashes } from './touched.js';
import type { KeyPositions } from './warm-keys.js';
import type { ZsetView } from './zset-view.js';
import type { ArenaHugePages } from './huge-pages.js';
import type { ExpireStepReport } from './walk.js';
import type { FreeListReport } from './free-lists.js';
import type { LongDouble } from '../long-double/value.js';
import type { BitFieldOp, BitOperation, BitRange } from './bitmap.js';
import type { BitFieldResult, BitOpResult, SetBitResult } from './bits.js';
import type {
  PfAddResult,
  PfCountResult,
  PfDebugOperation,
  PfDebugResult,
  PfMergeResult,
} from './hyperloglogs.js';
import type { ContainerLimits, TypeName } from './containers.js';
import type { AccessSetting } from './objects.js';
import type { HashParts, HashRandomResult, HashScanResult } from './hashes.js';
import type { SetAlgebraResult, SetOperation, SetStoreResult } from './set-algebra.js';
import type { SortOutcome } from './sort.js';
import type { SortRequest } from '../sort/request.js';
import type { SetAddResult, SetMoveResult, SetPopResult, SetScanResult } from './sets.js';
import type {
  ListEnd,
  ListSetResult,
  MoveResult,
  MultiPopResult,
  PopResult,
  PositionQuery,
  PushResult,
  TrimResult,
} from './lists.js';
import type { EvictionOutcome, PolicyName } from './eviction.js';
import type { KeyWatch } from './watch.js';
import type { ZscanResult } from './zsets.js';
import type {
  RangeQuery as StreamRangeQuery,
  SetIdRequest,
  StreamDump,
  GroupsWork,
  StreamEntry,
  StreamInfo,
  TrimResult as StreamTrimResult,
  TrimSpec,
  XaddRequest,
  XaddResult,
} from './streams.js';
import type { StreamId } from './stream-id.js';
import type {
  LexRange,
  ZpopResult,
  RangeQuery,
  RemoveRange,
  ScoredMember,
  ScoreRange,
  SetOperationQuery,
  SetOperationResult,
  StoreResult,
  ZaddOptions,
  ZaddResult,
} from './zset-types.js';

export type Bytes = Uint8Array;
export type { KeyWatch } from './watch.js';

/** Milliseconds since the epoch. Injected so expiry tests never sleep. */
export type Clock = () => number;

export interface SetOptions {
  /** NX: only set if the key does not exist; XX: only if it exists. */
  readonly condition?: 'NX' | 'XX';
  /** Absolute expiry time in ms. Absent: the key gets no expiry (an old one is cleared unless keepTtl). */
  readonly expireAt?: number;
  /** KEEPTTL: keep the key's current expiry. */
  readonly keepTtl?: boolean;
  /** GET: return the old value (null when the key was missing). */
  readonly returnOld?: boolean;
}

export interface SetResult {
  /** False when NX/XX prevented the write. */
  readonly written: boolean;
  /** The previous value when returnOld was asked for, else null. */
  readonly old: Buffer | null;
}

/** Conditions of EXPIRE and friends (redis.io/commands/expire). */
export type ExpireCondition = 'NX' | 'XX' | 'GT' | 'LT';

/**
 * One condition, or several that must all hold, checked at one instant. Redis allows NX alone or XX with GT
 * or LT (the command refuses other mixes); NX with another, or GT with LT, can never all hold.
 */
export type ExpireConditions = ExpireCondition | readonly ExpireCondition[];

/** How GETEX changes the expiry: set an absolute time, remove it (PERSIST), or leave it. */
export type GetExChange = { readonly expireAt: number } | { readonly persist: true } | undefined;

/**
 * A removal from a container (SREM, ZREM, ZREMRANGEBY*, LREM, HDEL): how many went, and whether that emptied
 * the container so its key was deleted (the `del` keyspace event).
 */
export interface RemovalResult {
  readonly removed: number;
  readonly deleted: boolean;
}

export interface ScanResult {
  /** 0 when the iteration is complete (nothing left to visit: an empty keyspace at once). Decimal string. */
  readonly cursor: string;
  readonly keys: Buffer[];
}

/** INFO keyspace's figures for one logical database. */
export interface DatabaseStats {
  readonly db: number;
  /** Keys stored, expired ones not yet removed included (as DBSIZE). */
  readonly keys: number;
  /** Keys with an expiry. */
  readonly expires: number;
  /** Bytes of its index (the bucket arrays of its shards): MEMORY STATS's hashtable overhead with the entry headers. */
  readonly indexBytes: number;
}

/** A value as OBJECT and DEBUG OBJECT describe it (object.c, debug.c; store/objects.ts). */
export interface ValueObject {
  /** A string's int, embstr or raw; a container's encoding name (listpack, quicklist, intset, ...). */
  readonly encoding: string;
  /** 2147483647 for one of Redis's shared integers (0 .. 9999 set as a value), else 1. */
  readonly refcount: number;
  /** robj.lru: the access clock (seconds, 24 bits) when the key was last looked up. */
  readonly lru: number;
  /** object.c estimateObjectIdleTime, in seconds (meaningless under an LFU policy: frequency is set then). */
  readonly idleSeconds: number;
  /** Under an LFU maxmemory-policy only: the access counter after decay (OBJECT FREQ, LFUDecrAndReturn). */
  readonly frequency?: number;
  /** Where the value lives (the entry's byte offset in the arena): DEBUG OBJECT's "Value at". */
  readonly address: number;
  /** The value's bytes, for DEBUG OBJECT only. */
  readonly value?: Buffer;
}

export interface StoreStats {
  readonly keys: number;
  /** Keys with an expiry set. */
  readonly expires: number;
  /** Bytes in use for keys, values, metadata and the index (INFO used_memory contribution). */
  readonly usedMemory: number;
  /** Bytes reserved from the OS by the shared buffers. */
  readonly reservedMemory: number;
  /** Bytes of the control buffer (locks, counters, list heads, shard headers): part of usedMemory. */
  readonly controlBytes: number;
  /** Bytes of the arena ever handed out (its bump pointer): written once, so resident until the process ends. */
  readonly arenaTouchedBytes: number;
  /** Of those, bytes on the segments' own free lists, and on the shared ones any segment reuses (arena.ts). */
  readonly arenaFreeSegmentBytes: number;
  readonly arenaFreeSharedBytes: number;
  /** Keys removed because they expired (lazily or by the active cycle). */
  readonly expiredKeys: number;
  /** What the process holds besides the store (StoreOptions.processBaselineBytes): used_memory's other part. */
  readonly processBaselineBytes: number;
  /** Keys removed by maxmemory-policy (INFO evicted_keys). */
  readonly evictedKeys: number;
}

export interface KeyValueStore {
  /** The logical database this view acts on. */
  readonly db: number;
  /** How many databases the store has (the `databases` setting): 0 .. databases - 1. */
  readonly databases: number;
  /** The view of database `db` (0 <= db < databases; anything else is a RangeError: commands check first). */
  select(db: number): KeyValueStore;

  get(key: Bytes): Buffer | null;
  set(key: Bytes, value: Bytes, options?: SetOptions): SetResult;
  getDel(key: Bytes): Buffer | null;
  getEx(key: Bytes, change: GetExChange): Buffer | null;
  /**
   * MGET: one value or null per key, all read at one instant. `found`, when given, is filled with whether each
   * key existed: a key of another type is nil too, yet a keyspace hit.
   */
  mget(keys: readonly Bytes[], found?: boolean[]): (Buffer | null)[];
  /** MSET (onlyIfNoneExist false, always true) / MSETNX. keyValues is k1, v1, k2, v2, ... Atomic. */
  mset(keyValues: readonly Bytes[], onlyIfNoneExist: boolean): boolean;
  /** Returns the new length. */
  append(key: Bytes, value: Bytes): number;
  strlen(key: Bytes): number;
  /** INCRBY semantics: missing key counts as 0; throws ERR.notInteger or ERR.overflow. Returns the new value. */
  incrBy(key: Bytes, delta: bigint): bigint;
  /** INCRBYFLOAT semantics in long double; throws ERR.notFloat or ERR.nanOrInfinity. Returns the new value as stored. */
  incrByFloat(key: Bytes, delta: LongDouble): Buffer;
  /** GETRANGE with Redis's negative-index rules. */
  getRange(key: Bytes, start: number, end: number): Buffer;
  /** SETRANGE: zero-pads; returns the new length. Throws ERR.stringTooLong past the bulk limit. */
  setRange(key: Bytes, offset: number, value: Bytes): number;

  // ---- Bits (bits.ts; offsets in bits, checked by the command against maxValueBytes) ----
  /** proto-max-bulk-len as the store applies it: the largest value a write may build. */
  maxValueBytes(): number;
  /** SETBIT: the key made or grown zero-filled to reach the bit. */
  setBit(key: Bytes, offset: number, on: 0 | 1): SetBitResult;
  /** GETBIT; null for a missing key. */
  getBit(key: Bytes, offset: number): 0 | 1 | null;
  /** BITCOUNT of the whole value (range null) or a range; null for a missing key. */
  bitCount(key: Bytes, range: BitRange | null): number | null;
  /** BITPOS; null for a missing key. */
  bitPos(key: Bytes, bit: 0 | 1, range: BitRange | null): number | null;
  /** BITFIELD's operations, in order, on one key at one instant. */
  bitField(key: Bytes, ops: readonly BitFieldOp[]): BitFieldResult;
  /** BITOP: the sources read and the destination written at one instant. */
  bitOp(op: BitOperation, destination: Bytes, sources: readonly Bytes[]): BitOpResult;

  // ---- HyperLogLogs (hyperloglogs.ts; Redis 7.0's hyperloglog.c over string values) ----
  /** PFADD: the elements added; made as a sparse HLL if missing. WRONGTYPE for a string that is not an HLL. */
  pfAdd(key: Bytes, elements: readonly Bytes[]): PfAddResult;
  /** PFCOUNT of one key: its cached cardinality, or computed and cached in the value. */
  pfCountOne(key: Bytes): PfCountResult;
  /** PFCOUNT of several keys: their union's cardinality, every key read at one instant. */
  pfCountUnion(keys: readonly Bytes[]): PfCountResult;
  /** PFMERGE: the destination and the sources at one instant. */
  pfMerge(destination: Bytes, sources: readonly Bytes[]): PfMergeResult;
  /** PFDEBUG's subcommands (null: an unknown one, refused once the key passed the checks). */
  pfDebug(key: Bytes, operation: PfDebugOperation | null): PfDebugResult;

  // ---- Sets (sets.ts, set-algebra.ts; Redis 7.0's t_set.c) ----
  /** SADD: members added, and whether the key was created. WRONGTYPE for another type. */
  sadd(key: Bytes, members: readonly Bytes[]): SetAddResult;
  /** SREM: members removed; an emptied set is deleted. */
  srem(key: Bytes, members: readonly Bytes[]): RemovalResult;
  /** SMISMEMBER / SISMEMBER: per member whether it is in the set; null when the key is missing. */
  smismember(key: Bytes, members: readonly Bytes[]): boolean[] | null;
  /** SCARD; null when the key is missing. */
  scard(key: Bytes): number | null;
  /** SPOP key [count] (count null: one member): the members removed; an emptied set is deleted. */
  spop(key: Bytes, count: number | null): SetPopResult;
  /** SRANDMEMBER key [count] (count null: one; negative: may repeat); null when the key is missing. */
  srandmember(key: Bytes, count: number | null): Buffer[] | null;
  /** SMOVE: both keys at one instant. */
  smove(source: Bytes, destination: Bytes, member: Bytes): SetMoveResult;
  /** SSCAN's step (before MATCH): null when the key is missing. */
  sscan(key: Bytes, cursor: number, count: number): SetScanResult | null;
  /** SINTER / SUNION / SDIFF (SMEMBERS: SINTER of one key), every key read at one instant. */
  setAlgebra(op: SetOperation, keys: readonly Bytes[]): SetAlgebraResult;
  /** SINTERCARD: the intersection's size, counting up to limit (0: no limit). */
  sinterCard(keys: readonly Bytes[], limit: number): { count: number; found: boolean[] };
  /** SINTERSTORE / SUNIONSTORE / SDIFFSTORE: sources and destination at one instant. */
  setAlgebraStore(op: SetOperation, destination: Bytes, keys: readonly Bytes[]): SetStoreResult;
  /**
   * SORT / SORT_RO key (sort.ts): `patterns` when BY/GET name keys from the elements (every segment locked);
   * throws WRONGTYPE for a key of another type.
   */
  sort(key: Bytes, request: SortRequest, patterns: boolean): SortOutcome;
  // ---- Lists (lists.ts over quicklist.ts; Redis 7.0's t_list.c) ----
  /** LPUSH/RPUSH each element in turn; with onlyIfExists (LPUSHX/RPUSHX) a missing key gets nothing. */
  listPush(key: Bytes, elements: readonly Bytes[], end: ListEnd, onlyIfExists?: boolean): PushResult;
  /**
   * Creates list `key` (missing) from loaded quicklist nodes, each of `nodes[i]` elements, kept as they are
   * (RESTORE and RDB loading: Redis 7.0 keeps a file's nodes).
   */
  listLoad(key: Bytes, elements: readonly Bytes[], nodes: readonly number[]): void;
  /** LPOP/RPOP one element (count null) or up to count; null for a missing key. */
  listPop(key: Bytes, end: ListEnd, count: number | null): PopResult | null;
  /** LMPOP: up to count from the first non-empty list of keys; null if none has any. */
  listMultiPop(keys: readonly Bytes[], end: ListEnd, count: number): MultiPopResult | null;
  /** LMOVE / RPOPLPUSH at one instant; null when source is missing. */
  listMove(source: Bytes, destination: Bytes, from: ListEnd, to: ListEnd): MoveResult | null;
  /** LLEN (0 for a missing key). */
  listLength(key: Bytes): number;
  /** LRANGE with Redis's clamping; null for a missing key. */
  listRange(key: Bytes, start: number, stop: number): Buffer[] | null;
  /** Each quicklist node's element count, head first (the nodes DUMP and the RDB write): null for a missing key. */
  listNodeCounts(key: Bytes): number[] | null;
  /** LINDEX: null past either end, 'missing' for a missing key. */
  listIndex(key: Bytes, index: number): Buffer | null | 'missing';
  /** LPOS: the indexes of the matches asked for; null for a missing key. */
  listPositions(key: Bytes, element: Bytes, query: PositionQuery): number[] | null;
  /** LSET. */
  listSet(key: Bytes, index: number, value: Bytes): ListSetResult;
  /** LINSERT: the new length, -1 if the pivot is not there, 0 for a missing key. */
  listInsert(key: Bytes, after: boolean, pivot: Bytes, value: Bytes): number;
  /** LREM: up to |count| matches (0: all), from the tail if count < 0. */
  listRemove(key: Bytes, count: number, value: Bytes): RemovalResult;
  /** LTRIM. */
  listTrim(key: Bytes, start: number, stop: number): TrimResult;
  // ---- Sorted sets (zsets.ts, zset-multi.ts; WRONGTYPE for a key of another type) ----
  /** ZADD / ZINCRBY: the pairs in order with the flags; ERR NaN when an increment makes one. */
  zadd(key: Bytes, pairs: readonly ScoredMember[], options: ZaddOptions): ZaddResult;
  /** Creates sorted set `key` (missing) as a listpack of `entries`, as hashLoadListpack does for a hash. */
  zsetLoadListpack(key: Bytes, entries: readonly ScoredMember[]): void;
  zrem(key: Bytes, members: readonly Bytes[]): RemovalResult;
  zcard(key: Bytes): number;
  zscore(key: Bytes, member: Bytes): number | null | 'missing';
  /** null for a missing key. */
  zmscore(key: Bytes, members: readonly Bytes[]): (number | null)[] | null;
  zrank(key: Bytes, member: Bytes, reverse: boolean): number | null | 'missing';
  zcount(key: Bytes, range: ScoreRange): number | null;
  zlexcount(key: Bytes, range: LexRange): number | null;
  /** The elements a query selects, in its direction; null for a missing key. */
  zrange(key: Bytes, query: RangeQuery): ScoredMember[] | null;
  zrangeStore(destination: Bytes, source: Bytes, query: RangeQuery): StoreResult;
  zremRange(key: Bytes, range: RemoveRange): RemovalResult;
  /**
   * ZPOPMIN/ZPOPMAX/ZMPOP and the blocking pops: up to count (>= 1) elements from the first of keys that
   * exists; null when none does.
   */
  zpop(keys: readonly Bytes[], min: boolean, count: number): ZpopResult | null;
  /** ZRANDMEMBER with a count (see zsets.ts zrandMember); null for a missing key. */
  zrandMember(key: Bytes, count: number): ScoredMember[] | null;
  zscan(key: Bytes, cursor: number, count: number): ZscanResult | null;
  /** ZUNION / ZINTER / ZDIFF. */
  zsetOperation(query: SetOperationQuery): SetOperationResult;
  zsetOperationStore(destination: Bytes, query: SetOperationQuery): StoreResult;
  /** ZINTERCARD (limit 0: none). */
  zinterCard(keys: readonly Bytes[], limit: number): { count: number; found: boolean[] };
  /** Runs `read` over the sorted set at key (null: none) under its lock, for the GEO commands (zset-view.ts). */
  zsetRead<R>(key: Bytes, read: (z: ZsetView | null) => R): R;
  /** Replaces destination with what `compute` makes of source, both locked (GEORADIUS STORE, GEOSEARCHSTORE). */
  zsetReadStore(
    destination: Bytes,
    source: Bytes,
    compute: (z: ZsetView | null) => readonly ScoredMember[],
  ): StoreResult;

  /** DEL / UNLINK: number of keys removed. */
  del(keys: readonly Bytes[]): number;
  /** EXISTS: a key named twice counts twice. */
  exists(keys: readonly Bytes[]): number;
  /** TOUCH: per key (a key named twice twice), whether it exists; each found one is stamped as a read stamps it. */
  touch(keys: readonly Bytes[]): boolean[];
  /** TYPE: the value's type name, or none for a missing key (its access time is left as it was). */
  type(key: Bytes): TypeName | 'none';
  /** EXPIRE family with an absolute time. A time not in the future deletes the key. True when applied. */
  expireAt(key: Bytes, at: number, condition?: ExpireConditions): boolean;
  persist(key: Bytes): boolean;
  /** -2: no such key, -1: no expiry, else milliseconds left. */
  pttl(key: Bytes): number;
  /** -2: no such key, -1: no expiry, else the absolute expiry in ms. */
  expireTime(key: Bytes): number;
  /** KEYS with Redis's glob pattern. */
  keys(pattern: Bytes): Buffer[];
  /** SCAN with Redis's guarantee: a key present for the whole iteration is returned at least once. */
  /** As SCAN's TYPE option, `type` keeps only keys of that type name (any case; a name of no type: none). */
  scan(cursor: string, count: number, match?: Bytes, type?: string): ScanResult;
  randomKey(): Buffer | null;
  /** RENAME / RENAMENX. 'missing': no source key; 'exists': RENAMENX and the target exists. */
  rename(source: Bytes, destination: Bytes, onlyIfNew: boolean): 'ok' | 'missing' | 'exists';
  /**
   * COPY source to destination in database `db` (default this one): false when the source is missing or the
   * destination exists and replace is false. ERR.sameObject for one key onto itself in one database.
   */
  copy(source: Bytes, destination: Bytes, replace: boolean, db?: number): boolean;
  /** MOVE key to database `db`: false when it is missing here or exists there. ERR.sameObject for this database. */
  move(key: Bytes, db: number): boolean;
  /** Keys in this database, expired ones not yet removed included (DBSIZE). */
  dbsize(): number;
  /** FLUSHDB: empties this database; the keys it held, expired ones not yet removed included (emptyData's). */
  flushDb(): number;
  /** FLUSHALL: empties every database; the keys they held, as flushDb counts them. */
  flushAll(): number;
  /** SWAPDB x y: the two databases exchange contents (clients stay on their numbers), O(1). */
  swapDb(x: number, y: number): void;
  /** INFO keyspace: every database holding keys, in order. */
  keyspace(): DatabaseStats[];

  // ---- Hashes (hashes.ts) ----
  /** HSET/HMSET: pairs is field, value, ...; the key is created if missing. Returns the fields that were new. */
  hset(key: Bytes, pairs: readonly Bytes[]): number;
  /**
   * Creates hash `key` (missing) as a listpack of `pairs` whatever hash-max-listpack-value says (RESTORE and RDB
   * loading of a listpack hash within hash-max-listpack-entries: listpack-load.ts).
   */
  hashLoadListpack(key: Bytes, pairs: readonly Bytes[]): void;
  /** HSETNX: whether the field was set (it was missing). */
  hsetnx(key: Bytes, field: Bytes, value: Bytes): boolean;
  /** HGET: the field's value, null for a missing field, undefined for a missing key. */
  hget(key: Bytes, field: Bytes): Buffer | null | undefined;
  /** HMGET: each field's value or null; null for a missing key. */
  hmget(key: Bytes, fields: readonly Bytes[]): (Buffer | null)[] | null;
  /** HDEL: fields deleted, and whether the hash was emptied (so deleted). */
  hdel(key: Bytes, fields: readonly Bytes[]): RemovalResult;
  /** HEXISTS; null for a missing key. */
  hexists(key: Bytes, field: Bytes): boolean | null;
  /** HSTRLEN (0 for a missing field); null for a missing key. */
  hstrlen(key: Bytes, field: Bytes): number | null;
  /** HLEN: 0 for a missing key (a hash is never empty). */
  hlen(key: Bytes): number;
  /** HKEYS, HVALS, HGETALL (field, value, ...); empty for a missing key. */
  hgetall(key: Bytes, parts: HashParts): Buffer[];
  /** HINCRBY: throws HASH_ERR.notInteger or ERR.overflow. Returns the new value. */
  hincrBy(key: Bytes, field: Bytes, delta: bigint): bigint;
  /** HINCRBYFLOAT in long double: throws HASH_ERR.notFloat or ERR.nanOrInfinity. Returns the value stored. */
  hincrByFloat(key: Bytes, field: Bytes, delta: LongDouble): Buffer;
  /** HRANDFIELD with a count (distinct: a positive count); null for a missing key. */
  hrandfield(key: Bytes, count: number, distinct: boolean, withValues: boolean): HashRandomResult | null;
  /** One HSCAN step; match keeps the pairs whose field it accepts. Null for a missing key. */
  hscan(
    key: Bytes,
    cursor: string,
    count: number,
    match: ((field: Uint8Array) => boolean) | null,
  ): HashScanResult | null;

  // ---- Streams (streams.ts over stream.ts; Redis 7.0's t_stream.c) ----
  /** XADD: the entry added (and the trim, if asked); id null when NOMKSTREAM found no stream. */
  xadd(key: Bytes, request: XaddRequest): XaddResult;
  /** XLEN; null for a missing key. */
  xlen(key: Bytes): number | null;
  /** XRANGE / XREVRANGE; null for a missing key. */
  xrange(key: Bytes, query: StreamRangeQuery): StreamEntry[] | null;
  /** XDEL: how many of the IDs were there and are now deleted. */
  xdel(key: Bytes, ids: readonly StreamId[]): number;
  /** XTRIM: entries removed (0 for a missing key). */
  xtrim(key: Bytes, spec: TrimSpec): StreamTrimResult;
  /** XSETID: false for a missing key. */
  xsetid(key: Bytes, request: SetIdRequest): boolean;
  /** The stream's last generated ID (XREAD's `$`); null for a missing key. */
  xlastId(key: Bytes): StreamId | null;
  /**
   * A consumer-group command's work on the stream at key and its groups, under the key's write lock (null: no
   * such key, unless `create` makes an empty stream); WRONGTYPE for another type.
   */
  xgroups<R>(key: Bytes, create: boolean, work: (w: GroupsWork | null) => R): R;
  /** The stream as RDB and DUMP carry it; null for a missing key. */
  streamDump(key: Bytes): StreamDump | null;
  /** Creates key holding the stream `dump` describes (RDB load, RESTORE); an existing key is replaced. */
  streamLoad(key: Bytes, dump: StreamDump): void;
  /** XINFO STREAM's figures; null for a missing key. */
  xinfoStream(key: Bytes): StreamInfo | null;

  // ---- MULTI/EXEC/WATCH (watch.ts) ----
  /**
   * Runs `work` holding the write locks of the segments of `keys` (null: every segment), given a view of this
   * store whose operations take none: no other thread sees those keys until work returns (EXEC). The view (and
   * its select()s: a key's segment is the same in every database) is for use inside work only, and on those
   * keys only (another key's segment is an error, not a race).
   */
  transaction<R>(keys: readonly Bytes[] | null, work: (store: KeyValueStore) => R): R;
  /**
   * One write command run as transaction() runs EXEC's, holding its keys' locks until it is logged to the
   * append-only file (executor.ts), without EXEC's bookkeeping of the arguments its commands store.
   */
  writeHolding<R>(keys: readonly Bytes[] | null, work: (store: KeyValueStore) => R): R;
  /** A client starts (+1) or stops (-1) watching keys; call +1 before its first watchKey. */
  countWatcher(delta: 1 | -1): void;
  /** WATCH one key of this database; give each watch back with unwatchKey. */
  watchKey(key: Bytes): KeyWatch;
  /**
   * Whether another write changed the key since watchKey, by Redis 7.0's rules; asked of the view of the
   * database it was watched in. Inside transaction() only.
   */
  watchedKeyChanged(key: Bytes, watched: KeyWatch): boolean;
  /** Whether the watched key was written since WATCH, without locks (CLIENT LIST flags=d). */
  watchedKeyTouched(watched: KeyWatch): boolean;
  /** An encoding threshold as it stands now (CONFIG SET changes it for every thread). */
  containerLimit(name: keyof ContainerLimits): number;
  unwatchKey(watched: KeyWatch): void;

  /** Figures of the whole store, every database together. */
  stats(): StoreStats;
  /** The arena's free lists walked, by block size and list (MEMORY MALLOC-STATS). */
  freeListReport(): FreeListReport;
  /**
   * One append to the append-only file, in the process-wide order (src/core/aof/): `write` runs holding the append
   * lock, is given the database the file's last SELECT chose (-1: none yet) and the file's generation (bumped each
   * time BGREWRITEAOF replaces it: reopen it then), and returns the database it leaves selected. `replacesFile`:
   * `write` put a new file in place (the generation is bumped).
   */
  appendInOrder(write: (fileDb: number, generation: number) => number, replacesFile?: boolean): void;
  /** The append-only file's buffer every thread of this store shares (aof/append-buffer.ts), used under that lock. */
  appendBuffer(): SharedArrayBuffer;
  /**
   * This thread's hook for keys it evicts (maxmemory), told under the lock that removes each while `wanted()` says
   * so (default: always); otherwise no key is copied out of the store for it.
   */
  onEvicted(hook: ((db: number, key: Buffer) => void) | null, wanted?: () => boolean): void;
  /**
   * This thread's writes note the hash of each key they modify in `hashes` (where Redis calls signalModifiedKey;
   * keyHash gives a key's), for client-side caching; null stops it. Absent in test fakes.
   */
  keepTouched?(hashes: TouchedHashes | null): void;
  keyHash?(key: Bytes): number;
  /**
   * Brings the memory that looking up these keys (bytes[starts[i], starts[i] + lengths[i])) in this database will
   * read into the cache, all at once, before a batch of pipelined requests runs (warm-keys.ts). Absent in test
   * fakes.
   */
  warmKeys?(bytes: Uint8Array, keys: KeyPositions): void;
  /** Whether warmKeys pays: the dataset is too big for the caches to hold (warm-keys.ts WARM_MIN_BYTES). */
  keysWorthWarming?(): boolean;

  // ---- maxmemory (eviction.ts) ----
  /**
   * performEvictions before a command: with maxmemory set, deletes keys by maxmemory-policy until usedMemory (the
   * store: its live arena bytes and control buffer) is at most maxmemory. 'fail' when it cannot (noeviction, or nothing evictable left): the
   * caller refuses commands that may grow memory. With `keysWanted` false the outcome lists no keys (none is
   * copied out for it).
   */
  evict(keysWanted?: boolean): EvictionOutcome;
  evictionPolicy(): PolicyName;
  /**
   * One bounded step of active expiry (run about 10 times a second). Returns keys removed, or -1 when CLIENT
   * PAUSE holds the dataset still and no step ran (its report is left as it was).
   */
  activeExpireCycle(report?: ExpireStepReport): number;

  // ---- OBJECT, DEBUG OBJECT (objects.ts) ----
  /**
   * OBJECT's lookup of a key of this database (lookupKeyRead with LOOKUP_NOTOUCH): null when missing, an
   * expired key deleted as any read deletes it; its access time is left as it was.
   */
  object(key: Bytes): ValueObject | null;
  /**
   * MEMORY USAGE: the bytes the key and its value hold in the store (entryFootprint: its entry's block and the
   * blocks its value points to, the elements' sampled from `samples` of them, Infinity for all), or null when it
   * is missing. Found as Redis's dictFind: an expired key not yet removed still counts; nothing is touched.
   */
  memoryUsage(key: Bytes, samples: number): number | null;
  /**
   * MEMORY STATS peak.allocated: the highest used_memory (store and process baseline) recordMemoryPeak saw, or
   * now's if higher.
   */
  memoryPeak(): number;
  /** A sample of used_memory for the peak (the server cron, INFO; any thread: the peak is raised by a CAS). */
  recordMemoryPeak(): void;
  /**
   * The server cron's: up to `pages` more 2 MiB pages of the arena's written bytes mapped by huge pages (one thread
   * only: `hugePages` is that thread's). Returns the pages collapsed.
   */
  collapseArenaPages(hugePages: ArenaHugePages, pages: number): number;
  /** DEBUG OBJECT's: the key as stored, even past its expiry, nothing deleted or stamped; with its value. */
  debugObject(key: Bytes): ValueObject | null;
  /** RESTORE's IDLETIME / FREQ on a key (objects.ts setAccess); false when the key is missing. */
  setAccess(key: Bytes, access: AccessSetting): boolean;
  /**
   * Redis's serverCron updateLRUClock: the access clock every lookup stamps a key with (OBJECT IDLETIME),
   * refreshed from the store's clock for every thread. The server calls it hz times a second.
   */
  refreshAccessClock(): void;
}

/**
 * What a worker thread needs to attach to a store: its two shared buffers (structured-clonable; post it with
 * postMessage or workerData). Produced by SharedStore.handles(), consumed by SharedStore.attach().
 */
export interface StoreHandles {
  /** Locks, counters, free-list heads: fixed size. */
  readonly control: SharedArrayBuffer;
  /** Entries and bucket arrays: growable; every thread sees its growth. */
  readonly arena: SharedArrayBuffer;
  /** The append-only file's shared buffer (aof/append-buffer.ts); absent on a snapshot's copy, which logs nothing. */
  readonly appendBuffer?: SharedArrayBuffer;
}
