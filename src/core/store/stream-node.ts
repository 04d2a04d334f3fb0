// One stream node read: a Redis listpack holding a master entry (live count, deleted count, the master fields,
// a 0 terminator) and then the entries (flags, ID deltas from the master ID, fields or only values when they are
// the master's, lp-count), as t_stream.c streamAppendItem lays them out. Pure: bytes and the master ID in,
// entries out; used by the store's streams and by whatever reads a node's bytes (the AOF rewrite).

import { lpBytes, lpFirst, lpInteger, lpNext, lpSmall } from './stream-listpack.js';
import { MAX_U64, makeId, type StreamId } from './stream-id.js';

/** t_stream.c's flags of an entry. */
export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;

/** An entry's place in a node. */
export interface NodeEntry {
  readonly flagsAt: number;
  readonly flags: number;
  readonly id: StreamId;
  /** Position of its first field (or first value when SAMEFIELDS). */
  readonly fieldsAt: number;
  readonly fieldCount: number;
}

export interface DecodedNode {
  readonly masterFieldsAt: number;
  readonly masterFieldCount: number;
  readonly entries: NodeEntry[];
}

const asU64 = (n: bigint): bigint => BigInt.asUintN(64, n);

/** Every entry of the node whose listpack starts at `lp`, deleted ones included, in order. */
export function decodeNode(u8: Uint8Array, lp: number, master: StreamId): DecodedNode {
  let p = lpNext(u8, lpNext(u8, lpFirst(u8, lp))); // count, deleted, then num-fields
  const masterFieldCount = lpSmall(u8, p);
  p = lpNext(u8, p);
  const masterFieldsAt = p;
  for (let f = 0; f < masterFieldCount; f++) p = lpNext(u8, p);
  p = lpNext(u8, p); // past the master terminator
  const entries: NodeEntry[] = [];
  const masterMs = master >> 64n;
  const masterSeq = master & MAX_U64;
  while (p !== -1) {
    const flagsAt = p;
    const flags = lpSmall(u8, p);
    p = lpNext(u8, p);
    const ms = asU64(masterMs + lpInteger(u8, p)!);
    p = lpNext(u8, p);
    const seq = asU64(masterSeq + lpInteger(u8, p)!);
    p = lpNext(u8, p);
    let fieldCount = masterFieldCount;
    let skip = masterFieldCount;
    if (!(flags & FLAG_SAMEFIELDS)) {
      fieldCount = lpSmall(u8, p);
      p = lpNext(u8, p);
      skip = fieldCount * 2;
    }
    entries.push({ flagsAt, flags, id: makeId(ms, seq), fieldsAt: p, fieldCount });
    for (let k = 0; k < skip; k++) p = lpNext(u8, p);
    p = lpNext(u8, p); // lp-count
  }
  return { masterFieldsAt, masterFieldCount, entries };
}

/** An entry's field, value, field, value, ... copied out. */
export function entryFields(u8: Uint8Array, node: DecodedNode, e: NodeEntry): Buffer[] {
  const out: Buffer[] = [];
  let p = e.fieldsAt;
  let m = node.masterFieldsAt;
  const same = (e.flags & FLAG_SAMEFIELDS) !== 0;
  for (let k = 0; k < e.fieldCount; k++) {
    if (same) {
      out.push(lpBytes(u8, m));
      m = lpNext(u8, m);
    } else {
      out.push(lpBytes(u8, p));
      p = lpNext(u8, p);
    }
    out.push(lpBytes(u8, p));
    p = lpNext(u8, p);
  }
  return out;
}

/** The live entries of a node given as its listpack bytes (a copy out of the store, an RDB payload). */
export function liveEntries(listpack: Uint8Array, master: StreamId): { id: StreamId; fields: Buffer[] }[] {
  const node = decodeNode(listpack, 0, master);
  return node.entries
    .filter((e) => !(e.flags & FLAG_DELETED))
    .map((e) => ({ id: e.id, fields: entryFields(listpack, node, e) }));
}
