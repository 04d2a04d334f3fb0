// HRANDFIELD and HSCAN in the store (t_hash.c hrandfieldWithCountCommand, db.c scanGenericCommand): which
// fields a count picks and where a scan resumes, on either encoding, under the key's read lock. Knows no command
// syntax and no replies.

import type { TableAccess } from './access.js';
import { fieldsAreTable, readable } from './hash-fields.js';
import { elementView, listpackFields, listpackPairs } from './hash-listpack.js';
import { tableRandom, tableScan } from './hash-table.js';
import { LISTPACK_HEADER, nextElement } from './listpack.js';
import type { Bytes } from './types.js';

/** HRANDFIELD's picks: fields, and their values when asked for (same length and order). */
export interface HashRandomResult {
  readonly fields: Buffer[];
  readonly values: Buffer[] | null;
}

/** One HSCAN step: the next cursor ('0': done) and field, value, field, value, ... */
export interface HashScanResult {
  readonly cursor: string;
  readonly items: Buffer[];
}

/**
 * HRANDFIELD with a count (t_hash.c hrandfieldWithCountCommand): `distinct` (a positive count) gives up to
 * `count` different fields, all of them in the hash's order when count >= its size; otherwise `count` picks,
 * each uniform and independent (repeats possible). Null for a missing key.
 */
export function hrandfield(
  a: TableAccess,
  db: number,
  key: Bytes,
  count: number,
  distinct: boolean,
  withValues: boolean,
  random: () => number = Math.random,
): HashRandomResult | null {
  return a.reading(db, key, hrandfieldLocked, { count, distinct, withValues, random }, undefined);
}

interface RandomRequest {
  readonly count: number;
  readonly distinct: boolean;
  readonly withValues: boolean;
  readonly random: () => number;
}

function hrandfieldLocked(a: TableAccess, entry: number, request: RandomRequest): HashRandomResult | null {
  if (!readable(a, entry)) return null;
  const u8 = a.arena.u8;
  const at = a.table.valueStart(entry);
  const { count, distinct, withValues, random } = request;
  if (fieldsAreTable(a, entry)) return tableRandom(a, at, count, distinct, withValues, random);
  const size = listpackFields(u8, at);
  const fields: Buffer[] = [];
  const values: Buffer[] | null = withValues ? [] : null;
  const pick = (pos: number): void => {
    fields.push(Buffer.from(elementView(u8, pos)));
    values?.push(Buffer.from(elementView(u8, nextElement(u8, pos))));
  };
  if (!distinct || count === 1) {
    // Each pair copied out once, the picks sharing its buffers: a count of -100000 is not 100000 walks.
    const pairs = listpackPairs(u8, at, true, true);
    for (let i = 0; i < count; i++) {
      const picked = Math.floor(random() * size) * 2;
      fields.push(pairs[picked]);
      values?.push(pairs[picked + 1]);
    }
  } else if (count >= size) {
    for (let i = 0, pos = at + LISTPACK_HEADER; i < size; i++, pos = nextElement(u8, nextElement(u8, pos)))
      pick(pos);
  } else {
    // lpRandomPairsUnique: a uniform sample of `count` distinct pairs in listpack order (selection sampling).
    let wanted = count;
    for (
      let i = 0, pos = at + LISTPACK_HEADER;
      wanted > 0;
      i++, pos = nextElement(u8, nextElement(u8, pos))
    ) {
      if (random() * (size - i) < wanted) {
        pick(pos);
        wanted--;
      }
    }
  }
  return { fields, values };
}

/**
 * One HSCAN step (db.c scanGenericCommand): a listpack hash is returned whole with cursor 0, whatever the
 * cursor. MATCH keeps the pairs whose field matches. Null for a missing key.
 */
export function hscan(
  a: TableAccess,
  db: number,
  key: Bytes,
  cursor: string,
  count: number,
  match: ((field: Uint8Array) => boolean) | null,
): HashScanResult | null {
  return a.reading(db, key, hscanLocked, { cursor, count, match }, undefined);
}

interface ScanRequest {
  readonly cursor: string;
  readonly count: number;
  readonly match: ((field: Uint8Array) => boolean) | null;
}

function hscanLocked(a: TableAccess, entry: number, request: ScanRequest): HashScanResult | null {
  if (!readable(a, entry)) return null;
  const at = a.table.valueStart(entry);
  const step = fieldsAreTable(a, entry)
    ? tableScan(a, at, request.cursor, request.count)
    : { cursor: '0', items: listpackPairs(a.arena.u8, at, true, true) };
  return { cursor: step.cursor, items: filterPairs(step.items, request.match) };
}

/** The field, value pairs whose field matches. */
function filterPairs(items: Buffer[], match: ((field: Uint8Array) => boolean) | null): Buffer[] {
  if (match === null) return items;
  const out: Buffer[] = [];
  for (let i = 0; i < items.length; i += 2) {
    if (match(items[i])) out.push(items[i], items[i + 1]);
  }
  return out;
}
