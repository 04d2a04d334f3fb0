// The stream operations of the store, with Redis 7.0's semantics (t_stream.c): XADD, XLEN, XRANGE/XREVRANGE,
// XDEL, XTRIM, XINFO STREAM's figures. Each runs its *Locked body under its key's segment lock through access.ts,
// as hashes.ts does; a write touches WATCH. A stream is never deleted for being empty (Redis keeps an empty
// stream: its last ID still matters). The value's layout is stream.ts's. Knows no command syntax and no replies.

import { CommandError } from '../errors.js';
import type { TableAccess, WriteWork } from './access.js';
import { containerLimit, requireType, T_STREAM } from './containers.js';
import { ENC_STREAM_LISTPACKS } from './layout.js';
import type { Group, LiveGroup } from './stream-groups.js';
import {
  EMPTY_ROOT,
  Stream,
  STREAM_LISTPACK_MAX_SIZE,
  type StreamDump,
  type StreamEntry,
  type TrimSpec,
} from './stream.js';
import { MAX_ID, MAX_U64, type ParsedId, type StreamId } from './stream-id.js';
import type { Bytes } from './types.js';
import { storeContainerLocked } from './values.js';
import { touchLocked } from './watch.js';

export type { StreamDump, StreamEntry, TrimSpec } from './stream.js';
export type { Group, LiveGroup } from './stream-groups.js';

/** t_stream.c's error replies. */
export const STREAM_ERRORS = {
  idTooSmall: 'ERR The ID specified in XADD is equal or smaller than the target stream top item',
  exhausted: 'ERR The stream has exhausted the last possible ID, unable to add more items',
  tooLarge: 'ERR Elements are too large to be stored',
  setIdTooSmall: 'ERR The ID specified in XSETID is smaller than the target stream top item',
  setIdEntriesTooSmall: 'ERR The entries_added specified in XSETID is smaller than the target stream length',
} as const;

export interface XaddRequest {
  /** null: `*`, an ID made from the clock. */
  readonly id: ParsedId | null;
  readonly noMkStream: boolean;
  readonly trim: TrimSpec | null;
  /** field, value, ... (at least one pair). */
  readonly pairs: readonly Bytes[];
}

export interface XaddResult {
  /** The ID added; null when NOMKSTREAM found no stream. */
  readonly id: StreamId | null;
  readonly created: boolean;
  /** Entries the trim removed. */
  readonly trimmed: number;
  /** After a `~` trim: what Redis propagates in place of its argument (the length, or the first ID). */
  readonly trimmedTo: string | null;
}

/** XINFO STREAM's figures (the plain form). */
export interface StreamInfo {
  readonly length: number;
  readonly masterIds: StreamId[];
  readonly lastId: StreamId;
  readonly maxDeletedId: StreamId;
  readonly entriesAdded: number;
  readonly firstId: StreamId;
  readonly groups: readonly Group[];
  readonly first: StreamEntry | null;
  readonly last: StreamEntry | null;
}

function streamOf(a: TableAccess, entry: number, shard: number): Stream {
  return new Stream(a.arena, a.table.segmentOf(shard), a.table.valueStart(entry));
}

function readStream(a: TableAccess, entry: number): Stream | null {
  if (entry === 0) return null;
  requireType(a.table, entry, T_STREAM);
  a.table.touch(entry);
  return new Stream(a.arena, 0, a.table.valueStart(entry));
}

// ---- XADD ----

export function xadd(a: TableAccess, db: number, key: Bytes, request: XaddRequest): XaddResult {
  return a.writing(db, key, xaddLocked, request);
}

/** The ID the next entry gets (streamAppendItem's choice), or the error it fails with. */
function nextId(stream: Stream, requested: ParsedId | null, now: number): StreamId {
  const last = stream.lastId;
  let id: StreamId;
  if (requested === null) {
    const ms = BigInt(Math.floor(now));
    id = ms > last >> 64n ? ms << 64n : last + 1n; // streamNextID
  } else if (requested.seqGiven) id = requested.id;
  else {
    const ms = requested.id >> 64n;
    if (last >> 64n === ms) {
      if ((last & MAX_U64) === MAX_U64) throw new CommandError(STREAM_ERRORS.idTooSmall);
      id = last + 1n;
    } else id = requested.id;
  }
  if (id <= last) throw new CommandError(STREAM_ERRORS.idTooSmall);
  return id;
}

const xaddLocked: WriteWork<XaddRequest, undefined, XaddResult> = (a, entry, shard, hash, key, request) => {
  let created = false;
  if (entry !== 0) requireType(a.table, entry, T_STREAM);
  else if (request.noMkStream) return { id: null, created: false, trimmed: 0, trimmedTo: null };
  else {
    entry = storeContainerLocked(a, shard, hash, key, 0, EMPTY_ROOT, T_STREAM, ENC_STREAM_LISTPACKS);
    created = true;
    touchLocked(a, shard, hash);
  }
  const stream = streamOf(a, entry, shard);
  if (stream.lastId === MAX_ID) throw new CommandError(STREAM_ERRORS.exhausted);
  const id = nextId(stream, request.id, a.clock());
  let total = 0;
  for (const p of request.pairs) total += p.length;
  if (total > STREAM_LISTPACK_MAX_SIZE) throw new CommandError(STREAM_ERRORS.tooLarge);
  stream.append(
    id,
    request.pairs,
    containerLimit(a.control, 'stream-node-max-bytes'),
    containerLimit(a.control, 'stream-node-max-entries'),
  );
  touchLocked(a, shard, hash);
  let trimmed = 0;
  let trimmedTo: string | null = null;
  if (request.trim !== null) {
    trimmed = stream.trim(request.trim);
    if (request.trim.approx) trimmedTo = trimmedArgument(stream, request.trim);
  }
  return { id, created, trimmed, trimmedTo };
};

/** streamRewriteTrimArgument: the length, or the first ID (tombstones included), after a `~` trim. */
function trimmedArgument(stream: Stream, spec: TrimSpec): string {
  if (spec.strategy === 'maxlen') return String(stream.length);
  const first = stream.edgeId(true, false) ?? MAX_ID;
  return `${first >> 64n}-${first & MAX_U64}`;
}

// ---- XTRIM, XDEL ----

export interface TrimResult {
  readonly trimmed: number;
  readonly trimmedTo: string | null;
}

export function xtrim(a: TableAccess, db: number, key: Bytes, spec: TrimSpec): TrimResult {
  return a.writing(db, key, xtrimLocked, spec);
}

const xtrimLocked: WriteWork<TrimSpec, undefined, TrimResult> = (a, entry, shard, hash, _key, spec) => {
  if (entry === 0) return { trimmed: 0, trimmedTo: null };
  requireType(a.table, entry, T_STREAM);
  const stream = streamOf(a, entry, shard);
  const trimmed = stream.trim(spec);
  if (trimmed === 0) return { trimmed, trimmedTo: null };
  touchLocked(a, shard, hash);
  return { trimmed, trimmedTo: spec.approx ? trimmedArgument(stream, spec) : null };
};

export function xdel(a: TableAccess, db: number, key: Bytes, ids: readonly StreamId[]): number {
  return a.writing(db, key, xdelLocked, ids);
}

/** xdelCommand: each ID deleted if present; the first ID and the largest deleted one kept up to date. */
const xdelLocked: WriteWork<readonly StreamId[], undefined, number> = (a, entry, shard, hash, _key, ids) => {
  if (entry === 0) return 0;
  requireType(a.table, entry, T_STREAM);
  const stream = streamOf(a, entry, shard);
  let deleted = 0;
  let firstDeleted = false;
  for (const id of ids) {
    if (!stream.delete(id)) continue;
    if (id === stream.firstId) firstDeleted = true;
    if (id > stream.maxDeletedId) stream.maxDeletedId = id;
    deleted++;
  }
  if (deleted > 0) {
    if (stream.length === 0) stream.firstId = 0n;
    else if (firstDeleted) stream.firstId = stream.edgeId(true, true) ?? 0n;
    touchLocked(a, shard, hash);
  }
  return deleted;
};

// ---- XSETID ----

export interface SetIdRequest {
  readonly id: StreamId;
  /** -1: leave it. */
  readonly entriesAdded: number;
  /** 0: leave it. */
  readonly maxDeletedId: StreamId;
}

/** XSETID: false for a missing key (the command's "no such key"). */
export function xsetid(a: TableAccess, db: number, key: Bytes, request: SetIdRequest): boolean {
  return a.writing(db, key, xsetidLocked, request);
}

const xsetidLocked: WriteWork<SetIdRequest, undefined, boolean> = (a, entry, shard, hash, _key, request) => {
  if (entry === 0) return false;
  requireType(a.table, entry, T_STREAM);
  const stream = streamOf(a, entry, shard);
  if (stream.length > 0) {
    // streamLastValidID: the last entry that is not a tombstone.
    if (request.id < (stream.edgeId(false, true) ?? 0n)) throw new CommandError(STREAM_ERRORS.setIdTooSmall);
    if (request.entriesAdded !== -1 && stream.length > request.entriesAdded) {
      throw new CommandError(STREAM_ERRORS.setIdEntriesTooSmall);
    }
  }
  stream.lastId = request.id;
  if (request.entriesAdded !== -1) stream.entriesAddedCount = request.entriesAdded;
  if (request.maxDeletedId !== 0n) stream.maxDeletedId = request.maxDeletedId;
  touchLocked(a, shard, hash);
  return true;
};

// ---- Consumer groups (stream-groups.ts; the commands' rules are in commands/stream-groups-*.ts) ----

/** What a consumer-group command works on, under the key's lock. */
export interface GroupsWork {
  readonly stream: Stream;
  /** Decoded; written back when the work calls changed() (their PELs change in place, in the arena). */
  readonly groups: LiveGroup[];
  /** The store's clock (delivery and seen times, idle times): injected, so tests move it by hand. */
  readonly now: number;
  /** The key was made by this call (XGROUP CREATE MKSTREAM). */
  readonly created: boolean;
  changed(): void;
}

/**
 * Runs `work` on the stream at key and its groups under the key's write lock: null for a missing key (unless
 * `create`, which makes an empty stream); WRONGTYPE for another type. Groups the work changed are written back.
 */
export function xgroups<R>(
  a: TableAccess,
  db: number,
  key: Bytes,
  create: boolean,
  work: (w: GroupsWork | null) => R,
): R {
  return a.writing(db, key, xgroupsLocked as WriteWork<unknown, unknown, R>, create, work);
}

function xgroupsLocked<R>(
  a: TableAccess,
  entry: number,
  shard: number,
  hash: number,
  key: Bytes,
  create: boolean,
  work: (w: GroupsWork | null) => R,
): R {
  let created = false;
  if (entry !== 0) requireType(a.table, entry, T_STREAM);
  else if (!create) return work(null);
  let changed = false;
  const made = (): void => {
    if (entry !== 0) return;
    entry = storeContainerLocked(a, shard, hash, key, 0, EMPTY_ROOT, T_STREAM, ENC_STREAM_LISTPACKS);
    created = true;
    changed = true;
  };
  if (create) made();
  const stream = streamOf(a, entry, shard);
  const groups = stream.groups();
  const result = work({
    stream,
    groups,
    now: a.eventClock(),
    created,
    changed: () => {
      changed = true;
    },
  });
  if (changed) {
    stream.setGroups(groups);
    touchLocked(a, shard, hash);
  }
  return result;
}

// ---- As RDB carries a stream ----

/** The stream at key as RDB carries it; null for a missing key. */
export function streamDump(a: TableAccess, db: number, key: Bytes): StreamDump | null {
  return a.reading(db, key, (access, entry) => readStream(access, entry)?.dump() ?? null);
}

/** Creates key (which must be missing: the caller deleted it) holding the stream `dump` describes. */
export function streamLoad(a: TableAccess, db: number, key: Bytes, dump: StreamDump): void {
  a.writing(db, key, streamLoadLocked, dump);
}

const streamLoadLocked: WriteWork<StreamDump, undefined, void> = (a, entry, shard, hash, key, dump) => {
  if (entry !== 0) a.table.remove(shard, entry);
  entry = storeContainerLocked(a, shard, hash, key, 0, EMPTY_ROOT, T_STREAM, ENC_STREAM_LISTPACKS);
  try {
    streamOf(a, entry, shard).load(dump);
  } catch (error) {
    a.table.remove(shard, entry);
    throw error;
  }
  touchLocked(a, shard, hash);
};

// ---- Reads ----

/** XLEN; null for a missing key. */
export function xlen(a: TableAccess, db: number, key: Bytes): number | null {
  return a.reading(db, key, (access, entry) => readStream(access, entry)?.length ?? null);
}

export interface RangeQuery {
  readonly start: StreamId;
  readonly end: StreamId;
  /** 0: no limit. */
  readonly count: number;
  readonly reverse: boolean;
}

/** XRANGE / XREVRANGE: the entries; null for a missing key. */
export function xrange(a: TableAccess, db: number, key: Bytes, query: RangeQuery): StreamEntry[] | null {
  return a.reading(db, key, xrangeLocked, query, undefined);
}

function xrangeLocked(a: TableAccess, entry: number, query: RangeQuery): StreamEntry[] | null {
  const stream = readStream(a, entry);
  if (stream === null) return null;
  return stream.range(query.start, query.end, query.count, query.reverse);
}

/** The stream's last ID (XREAD's `$`); null for a missing key. */
export function xlastId(a: TableAccess, db: number, key: Bytes): StreamId | null {
  return a.reading(db, key, (access, entry) => readStream(access, entry)?.lastId ?? null);
}

export function xinfoStream(a: TableAccess, db: number, key: Bytes): StreamInfo | null {
  return a.reading(db, key, xinfoLocked);
}

function xinfoLocked(a: TableAccess, entry: number): StreamInfo | null {
  const stream = readStream(a, entry);
  if (stream === null) return null;
  return {
    length: stream.length,
    masterIds: stream.masterIds(),
    lastId: stream.lastId,
    maxDeletedId: stream.maxDeletedId,
    entriesAdded: stream.entriesAdded,
    firstId: stream.firstId,
    groups: stream.plainGroups(),
    first: stream.range(0n, MAX_ID, 1, false)[0] ?? null,
    last: stream.range(0n, MAX_ID, 1, true)[0] ?? null,
  };
}
