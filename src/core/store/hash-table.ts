// A large hash's encoding (Redis's OBJ_ENCODING_HT for hashes): the entry's value is a dict.ts root, its bucket
// array and field/value nodes blocks of the key's segment. Here: registering it as an external encoding (so the
// table frees and deep-copies its blocks wherever the key goes), the conversion from a listpack (t_hash.c
// hashTypeConvertListpack), and the walks HGETALL, HRANDFIELD and HSCAN make of it. The key's lock is held by
// the caller (hashes.ts); knows no commands.

import type { TableAccess } from './access.js';
import { registerExternalEncoding, T_HASH } from './containers.js';
import {
  DICT_ROOT_BYTES,
  dictClone,
  dictCount,
  dictForEach,
  dictFootprint,
  dictInit,
  dictRandomNode,
  dictRelease,
  dictScan,
  dictSet,
  nodeField,
  nodeValue,
} from './dict.js';
import { listpackPairs } from './hash-listpack.js';
import { ENC_HASH_HASHTABLE, UNIT, unitsFor } from './layout.js';
import type { Bytes } from './types.js';
import { storeContainerLocked } from './values.js';

registerExternalEncoding(T_HASH, ENC_HASH_HASHTABLE, {
  release: dictRelease,
  clone: dictClone,
  footprint: dictFootprint,
});

/**
 * Converts the listpack hash in `entry` to a hashtable (hashTypeConvertListpack); returns the entry now holding
 * it. The table is built under a root in a block of its own first and stored only once complete, so running out
 * of memory midway leaves the listpack as it was.
 */
export function convertToTableLocked(
  a: TableAccess,
  shard: number,
  hash: number,
  key: Bytes,
  entry: number,
): number {
  const t = a.table;
  const segment = t.segmentOf(shard);
  const pairs = listpackPairs(a.arena.u8, t.valueStart(entry), true, true);
  const units = unitsFor(DICT_ROOT_BYTES);
  const scratch = a.arena.alloc(segment, units);
  const root = scratch * UNIT;
  let built = false;
  try {
    dictInit(a.arena, segment, root);
    built = true;
    for (let i = 0; i < pairs.length; i += 2) dictSet(a.arena, segment, root, pairs[i], pairs[i + 1]);
    const rootBytes = Buffer.from(a.arena.u8.subarray(root, root + DICT_ROOT_BYTES));
    entry = storeContainerLocked(a, shard, hash, key, entry, rootBytes, T_HASH, ENC_HASH_HASHTABLE);
    built = false; // the entry owns the table now
    return entry;
  } finally {
    if (built) dictRelease(a.arena, segment, root);
    a.arena.free(segment, scratch, units);
  }
}

/** Fields, values or both (field, value, ...) of the table at `root`, copied out in table order. */
export function tablePairs(a: TableAccess, root: number, fields: boolean, values: boolean): Buffer[] {
  const out: Buffer[] = [];
  dictForEach(a.arena, root, (node) => {
    if (fields) out.push(nodeField(a.arena, node));
    if (values) out.push(nodeValue(a.arena, node));
  });
  return out;
}

/**
 * HRANDFIELD's picks from the table at `root` (t_hash.c hrandfieldWithCountCommand's cases): `count`
 * independent picks; or, distinct, the whole hash when count >= its size, a uniform sample in table order when
 * count is more than a third of it, else random picks until `count` different ones.
 */
export function tableRandom(
  a: TableAccess,
  root: number,
  count: number,
  distinct: boolean,
  withValues: boolean,
  random: () => number,
): { fields: Buffer[]; values: Buffer[] | null } {
  const arena = a.arena;
  const size = dictCount(arena, root);
  const fields: Buffer[] = [];
  const values: Buffer[] | null = withValues ? [] : null;
  const pick = (node: number): void => {
    fields.push(nodeField(arena, node));
    values?.push(nodeValue(arena, node));
  };
  if (!distinct || count === 1) {
    for (let i = 0; i < count; i++) pick(dictRandomNode(arena, root, random));
  } else if (count >= size) {
    dictForEach(arena, root, pick);
  } else if (count * 3 > size) {
    let wanted = count;
    let seen = 0;
    dictForEach(arena, root, (node) => {
      if (wanted > 0 && random() * (size - seen) < wanted) {
        pick(node);
        wanted--;
      }
      seen++;
    });
  } else {
    const picked = new Set<number>();
    while (picked.size < count) {
      const node = dictRandomNode(arena, root, random);
      if (!picked.has(node)) {
        picked.add(node);
        pick(node);
      }
    }
  }
  return { fields, values };
}

/**
 * One HSCAN step over the table at `root` from `cursor` (the low 32 bits of the client's cursor: a table here
 * never has more buckets): field, value, ... of whole buckets until at least `count` items (db.c counts a
 * field and its value as two), and the next cursor.
 */
export function tableScan(
  a: TableAccess,
  root: number,
  cursor: string,
  count: number,
): { cursor: string; items: Buffer[] } {
  const nodes: number[] = [];
  const next = dictScan(a.arena, root, Number(BigInt(cursor) & 0xffffffffn), Math.ceil(count / 2), nodes);
  const items: Buffer[] = [];
  for (const node of nodes) items.push(nodeField(a.arena, node), nodeValue(a.arena, node));
  return { cursor: String(next), items };
}
