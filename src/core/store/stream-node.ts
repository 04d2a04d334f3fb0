// One stream node read: a Redis listpack holding a master entry (live count, deleted count, the master fields,
// a 0 terminator) and then the entries (flags, ID deltas from the master ID, fields or only values when they are
// the master's, lp-count), as t_stream.c streamAppendItem lays them out. Pure: bytes and the master ID in,
// entries out; used by the store's streams and by whatever reads a node's bytes (the AOF rewrite). Two readers:
// decodeNode, every entry with bigint IDs, and NodeScan, one entry at a time with IDs as numbers (the hot paths).

import { lpBytes, lpFirst, lpInteger, lpNext, lpNumber, lpSmall } from './stream-listpack.js';
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

/**
 * Walks a node's entries in order with no allocation and no bigint: each entry's flags, its ID as (ms, seq)
 * numbers and where its fields start, so a range seeks to its first entry inside the node without decoding the
 * rest. `exact` turns false where an ID is not an exact number (ms or seq at 2^53 or more, or a delta that wraps):
 * the caller then reads that node with decodeNode's bigints. One instance is reused for every node.
 */
export class NodeScan {
  private u8: Uint8Array = new Uint8Array(0);
  private p = -1;
  private masterMs = 0;
  private masterSeq = 0;
  masterFieldsAt = 0;
  masterFieldCount = 0;
  exact = true;
  flagsAt = 0;
  flags = 0;
  ms = 0;
  seq = 0;
  fieldsAt = 0;
  fieldCount = 0;
  /** The master fields copied out once per node, shared by its SAMEFIELDS entries (replies only read them). */
  private masterFields: Buffer[] | null = null;

  /** Positions at the first entry of the node at `lp` whose master ID is (masterMs, masterSeq). */
  start(u8: Uint8Array, lp: number, masterMs: number, masterSeq: number): void {
    this.u8 = u8;
    this.masterMs = masterMs;
    this.masterSeq = masterSeq;
    this.exact = Number.isSafeInteger(masterMs) && Number.isSafeInteger(masterSeq);
    let p = lpNext(u8, lpNext(u8, lpFirst(u8, lp))); // count, deleted, then num-fields
    this.masterFieldCount = lpNumber(u8, p);
    p = lpNext(u8, p);
    this.masterFieldsAt = p;
    for (let f = 0; f < this.masterFieldCount; f++) p = lpNext(u8, p);
    this.p = lpNext(u8, p); // past the master terminator
    this.masterFields = null;
  }

  /** Reads the next entry; false past the last one, or when its ID is not exact (`exact` false). */
  next(): boolean {
    if (this.p === -1 || !this.exact) return false;
    const u8 = this.u8;
    let p = this.p;
    this.flagsAt = p;
    this.flags = lpNumber(u8, p);
    p = lpNext(u8, p);
    const ms = this.masterMs + lpNumber(u8, p);
    p = lpNext(u8, p);
    const seq = this.masterSeq + lpNumber(u8, p);
    p = lpNext(u8, p);
    if (!(ms >= 0 && seq >= 0 && Number.isSafeInteger(ms) && Number.isSafeInteger(seq))) {
      this.exact = false;
      return false;
    }
    this.ms = ms;
    this.seq = seq;
    let skip = this.masterFieldCount;
    this.fieldCount = skip;
    if (!(this.flags & FLAG_SAMEFIELDS)) {
      this.fieldCount = lpNumber(u8, p);
      p = lpNext(u8, p);
      skip = this.fieldCount * 2;
    }
    this.fieldsAt = p;
    for (let k = 0; k < skip; k++) p = lpNext(u8, p);
    this.p = lpNext(u8, p); // past lp-count
    return true;
  }

  /** The current entry's field, value, field, value, ... copied out. */
  fields(): Buffer[] {
    const u8 = this.u8;
    const out: Buffer[] = [];
    let p = this.fieldsAt;
    const same = (this.flags & FLAG_SAMEFIELDS) !== 0;
    if (same && this.masterFields === null) {
      this.masterFields = [];
      for (let k = 0, m = this.masterFieldsAt; k < this.masterFieldCount; k++, m = lpNext(u8, m)) {
        this.masterFields.push(lpBytes(u8, m));
      }
    }
    for (let k = 0; k < this.fieldCount; k++) {
      if (same) out.push(this.masterFields![k]);
      else {
        out.push(lpBytes(u8, p));
        p = lpNext(u8, p);
      }
      out.push(lpBytes(u8, p));
      p = lpNext(u8, p);
    }
    return out;
  }

  /** The current entry's ID as the bigint the rest of the store uses. */
  id(): StreamId {
    return (BigInt(this.ms) << 64n) | BigInt(this.seq);
  }
}
