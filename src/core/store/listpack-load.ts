// Loading a hash or a sorted set in the listpack an RDB file or a DUMP payload gives it: Redis 7.0's loader keeps
// a RDB_TYPE_HASH_LISTPACK or RDB_TYPE_ZSET_LISTPACK as a listpack while it has at most hash- (zset-)
// max-listpack-entries entries, checking only that count (rdbLoadObject: "we only check the length and not max
// element size as this is an O(N) scan"), so a value longer than the value limit in force stays in it, and the
// DUMP after RESTORE is the payload's form. Creating the key through HSET/ZADD would convert it. The caller
// (rdb/store-io.ts) checks the count; the key must be missing. Knows no command and no RDB bytes.

import type { TableAccess, WriteWork } from './access.js';
import { T_HASH, T_ZSET } from './containers.js';
import { ENC_HASH_LISTPACK, ENC_ZSET_LISTPACK } from './layout.js';
import { encodeListpack } from './listpack.js';
import type { Bytes } from './types.js';
import { storeContainerLocked } from './values.js';
import { touchLocked } from './watch.js';
import { ListpackZset } from './zset-listpack.js';
import type { ScoredMember } from './zset-types.js';

/** Creates hash `key` as a listpack of `pairs` (field, value, ...; no field twice), in their order. */
export function loadHashListpack(a: TableAccess, db: number, key: Bytes, pairs: readonly Bytes[]): void {
  a.writing(db, key, loadWork, encodeListpack(pairs), T_HASH);
}

/** Creates sorted set `key` as a listpack of `entries` (in the set's order, no member twice). */
export function loadZsetListpack(
  a: TableAccess,
  db: number,
  key: Bytes,
  entries: readonly ScoredMember[],
): void {
  const listpack = new ListpackZset(
    entries.map((e) => Buffer.from(e.member)),
    entries.map((e) => (e.score === 0 ? 0 : e.score)), // a listpack holds no -0 (zset-listpack.ts)
  ).encode();
  a.writing(db, key, loadWork, listpack, T_ZSET);
}

const loadWork: WriteWork<Buffer, number, void> = (a, entry, shard, hash, key, listpack, type) => {
  if (entry !== 0) throw new Error('a listpack is loaded only into a missing key');
  const encoding = type === T_HASH ? ENC_HASH_LISTPACK : ENC_ZSET_LISTPACK;
  storeContainerLocked(a, shard, hash, key, 0, listpack, type, encoding);
  touchLocked(a, shard, hash);
};
