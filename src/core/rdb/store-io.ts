// Moves values between the store and their RDB form through the store's public operations only (so the store
// picks each container's encoding by its own thresholds, as Redis re-encodes what it loads). Reading walks one
// database of a store (a snapshot copy when saving, segment by segment); writing creates one key whole (loading, RESTORE).

import type { RdbDatabase, RdbEntry } from './file.js';
import type { RdbValue } from './format.js';
import type { SharedStore } from '../store/store.js';
import type { Bytes, KeyValueStore } from '../store/types.js';

const NO_ZADD_FLAGS = { nx: false, xx: false, gt: false, lt: false, incr: false };

/** A key's value in RDB form, or null when it is missing (or expired). */
export function readStoreValue(store: KeyValueStore, key: Bytes): RdbValue | null {
  switch (store.type(key)) {
    case 'string': {
      const value = store.get(key);
      return value === null ? null : { type: 'string', value };
    }
    case 'list': {
      const elements = store.listRange(key, 0, -1);
      const nodes = store.listNodeCounts(key);
      if (elements === null || nodes === null) return null;
      return { type: 'list', elements, fill: store.containerLimit('list-max-listpack-size'), nodes };
    }
    case 'set':
      return {
        type: 'set',
        members: store.setAlgebra('inter', [key]).members,
        compact: isCompact(store, key),
      };
    case 'hash':
      return { type: 'hash', pairs: store.hgetall(key, 'both'), compact: isCompact(store, key) };
    case 'zset': {
      const entries = store.zrange(key, { by: 'rank', start: 0, end: -1, reverse: false });
      if (entries === null) return null;
      return { type: 'zset', entries: entries.map((e) => ({ ...e })), compact: isCompact(store, key) };
    }
    case 'stream': {
      const stream = store.streamDump(key);
      return stream === null ? null : { type: 'stream', stream };
    }
    default:
      return null;
  }
}

/** Whether the container at `key` is in its compact encoding (intset, listpack): its form in RDB follows it. */
const isCompact = (store: KeyValueStore, key: Bytes): boolean =>
  ['intset', 'listpack'].includes(store.object(key)?.encoding ?? '');

/** Every database of a store with keys, as the RDB writer takes them; values are read as the writer asks. */
export function storeDatabases(store: SharedStore): RdbDatabase[] {
  const out: RdbDatabase[] = [];
  for (const stats of store.keyspace()) {
    if (stats.keys === 0) continue;
    const view = store.select(stats.db);
    out.push({ db: stats.db, keys: stats.keys, expires: stats.expires, entries: entriesOf(view) });
  }
  return out;
}

/** Segment by segment (a copy nothing writes), so a caller may pause between steps. */
function* entriesOf(view: SharedStore): Generator<RdbEntry> {
  for (let segment = 0; segment < view.segmentCount(); segment++) {
    for (const entry of view.segmentEntries(segment)) {
      const value: RdbValue | null =
        entry.value !== null ? { type: 'string', value: entry.value } : readStoreValue(view, entry.key);
      if (value !== null) yield { key: entry.key, value, expireAt: entry.expireAt };
    }
  }
}

/**
 * Creates `key` with `value` (the key must be missing: a caller deletes first for REPLACE) and its expiry.
 * An empty container is not created: Redis never keeps one (rdbLoadObject skips empty keys).
 */
export function writeStoreValue(store: KeyValueStore, key: Bytes, value: RdbValue, expireAt: number): void {
  switch (value.type) {
    case 'string':
      store.set(key, value.value, expireAt === 0 ? undefined : { expireAt });
      return;
    case 'stream':
      store.streamLoad(key, value.stream); // an empty stream is a value of its own, kept as Redis keeps it
      break;
    case 'list':
      if (value.elements.length === 0) return;
      // A file's quicklist nodes are kept as they are; a plain list (RDB_TYPE_LIST) is pushed, as Redis does.
      if (value.nodes !== undefined) store.listLoad(key, value.elements, value.nodes);
      else store.listPush(key, value.elements, 'right');
      break;
    case 'set':
      if (value.members.length === 0) return;
      store.sadd(key, value.members);
      break;
    // A listpack hash or sorted set within the entries limit stays a listpack, long values and all, as Redis
    // 7.0 keeps it (listpack-load.ts); a field or member given twice (a payload Redis's sanitizer would refuse)
    // goes through HSET/ZADD instead, so the store never holds one twice.
    case 'hash':
      if (value.pairs.length === 0) return;
      if (
        value.compact === true &&
        value.pairs.length / 2 <= store.containerLimit('hash-max-listpack-entries') &&
        distinct(value.pairs.filter((_, i) => i % 2 === 0))
      )
        store.hashLoadListpack(key, value.pairs);
      else store.hset(key, value.pairs);
      break;
    case 'zset':
      if (value.entries.length === 0) return;
      if (
        value.compact === true &&
        value.entries.length <= store.containerLimit('zset-max-listpack-entries') &&
        distinct(value.entries.map((e) => e.member))
      )
        store.zsetLoadListpack(key, value.entries);
      else store.zadd(key, value.entries, NO_ZADD_FLAGS);
      break;
  }
  if (expireAt !== 0) store.expireAt(key, expireAt);
}

/** Whether no two of `items` are the same bytes. */
function distinct(items: readonly Buffer[]): boolean {
  return new Set(items.map((item) => item.toString('latin1'))).size === items.length;
}
