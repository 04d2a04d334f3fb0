// One value's RDB encoding (rdb.c rdbSaveObjectType + rdbSaveObject, rdbLoadObjectType + rdbLoadObject): the
// forms written are ones Redis 7.0 loads and re-encodes by its own thresholds (a string; a list as a quicklist
// of listpack nodes; a small all-integer set as an intset, else a plain set; a small hash as a listpack, else
// field/value pairs; a small sorted set as a listpack, else ZSET_2 with binary scores); every form Redis 7.0 writes is read, plus the
// older plain ones. Streams as stream-codec.ts reads them. Ziplist-era types (Redis < 7), older stream forms and modules are refused with a clear error.

import { formatDouble } from '../format-double.js';
import { strtod } from '../strtod.js';
import {
  QUICKLIST_PACKED,
  QUICKLIST_PLAIN,
  RdbFormatError,
  TYPE_HASH,
  TYPE_HASH_LISTPACK,
  TYPE_LIST,
  TYPE_LIST_QUICKLIST_2,
  TYPE_SET,
  TYPE_SET_INTSET,
  TYPE_STREAM_LISTPACKS_2,
  TYPE_STRING,
  TYPE_ZSET,
  TYPE_ZSET_2,
  TYPE_ZSET_LISTPACK,
  type RdbValue,
} from './format.js';
import type { RdbReader } from './reader.js';
import {
  decodeIntset,
  decodeListpack,
  encodeIntset,
  encodeListpack,
  listpackEntrySize,
} from './redis-listpack.js';
import { readStream, writeStream } from './stream-codec.js';
import type { RdbWriter } from './writer.js';

/**
 * Redis 7.0's defaults for the compact forms written (hash-max-listpack-*, zset-max-listpack-*,
 * set-max-intset-entries), so a small value's DUMP payload is the bytes Redis's is.
 */
const HASH_LISTPACK_ENTRIES = 512;
const HASH_LISTPACK_VALUE = 64;
const ZSET_LISTPACK_ENTRIES = 128;
const ZSET_LISTPACK_VALUE = 64;
const SET_INTSET_ENTRIES = 512;
/** list-max-listpack-size's default: nodes of up to 8 KiB. */
const DEFAULT_FILL = -2;
/** The node sizes of list-max-listpack-size -1 to -5 (quicklist.c optimization_level). */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
/** A node under a count limit still stays within 8 KiB (SIZE_SAFETY_LIMIT); its count is 16 bits. */
const SIZE_SAFETY_LIMIT = 8192;
const NODE_ELEMENTS = 65535;
const SIZE_ESTIMATE_OVERHEAD = 8;
/** An empty listpack: its 6-byte header and its end byte. */
const LISTPACK_EMPTY_BYTES = 7;

/** Writes the type byte and the value (a DUMP payload's body). */
export function writeValue(w: RdbWriter, value: RdbValue): void {
  const type = rdbTypeOf(value);
  w.byte(type);
  writeValueBody(w, type, value);
}

/** The RDB type a value is written as (rdbSaveObjectType). */
export function rdbTypeOf(value: RdbValue): number {
  switch (value.type) {
    case 'string':
      return TYPE_STRING;
    case 'stream':
      return TYPE_STREAM_LISTPACKS_2;
    case 'list':
      return TYPE_LIST_QUICKLIST_2;
    case 'set':
      return (value.compact ?? value.members.length <= SET_INTSET_ENTRIES) &&
        intsetMembers(value.members) !== null
        ? TYPE_SET_INTSET
        : TYPE_SET;
    case 'hash':
      return (value.compact ??
        (value.pairs.length / 2 <= HASH_LISTPACK_ENTRIES &&
          value.pairs.every((p) => p.length <= HASH_LISTPACK_VALUE)))
        ? TYPE_HASH_LISTPACK
        : TYPE_HASH;
    case 'zset':
      return (value.compact ??
        (value.entries.length <= ZSET_LISTPACK_ENTRIES &&
          value.entries.every((e) => e.member.length <= ZSET_LISTPACK_VALUE)))
        ? TYPE_ZSET_LISTPACK
        : TYPE_ZSET_2;
  }
}

/** The value in the form `type` (from rdbTypeOf), without the type byte (rdbSaveObject). */
export function writeValueBody(w: RdbWriter, type: number, value: RdbValue): void {
  switch (value.type) {
    case 'string':
      w.string(value.value);
      return;
    case 'stream':
      writeStream(w, value.stream);
      return;
    case 'list':
      writeList(w, value.elements, value.nodes ?? pushedNodes(value.elements, value.fill ?? DEFAULT_FILL));
      return;
    case 'set': {
      const integers = type === TYPE_SET_INTSET ? intsetMembers(value.members) : null;
      if (integers !== null) {
        w.string(encodeIntset(integers));
        return;
      }
      w.len(value.members.length);
      for (const m of value.members) w.string(m);
      return;
    }
    case 'hash':
      if (type === TYPE_HASH_LISTPACK) {
        w.string(encodeListpack(value.pairs));
        return;
      }
      w.len(value.pairs.length / 2);
      for (const p of value.pairs) w.string(p);
      return;
    case 'zset':
      if (type === TYPE_ZSET_LISTPACK) {
        // Member, score pairs, the score as d2string writes it (which formatDouble is for any non-NaN score):
        // the listpack turns an integral one into an integer entry, as lpAppend does.
        const pairs = value.entries.flatMap((e) => [e.member, Buffer.from(formatDouble(e.score), 'latin1')]);
        w.string(encodeListpack(pairs));
        return;
      }
      // rdbSaveObject writes a skiplist from the greatest element to the smallest (its loader then appends).
      w.len(value.entries.length);
      for (const { member, score } of [...value.entries].reverse()) {
        w.string(member);
        w.double(score);
      }
      return;
  }
}

/**
 * Whether an element of `size` bytes joins a node of `bytes` listpack bytes and `count` elements under
 * list-max-listpack-size `fill`, as Redis 7.0's _quicklistNodeAllowInsert decides: a negative fill is a size
 * limit (4 to 64 KiB) on the node's bytes plus the element's plus SIZE_ESTIMATE_OVERHEAD (8); a positive one a
 * count, the node also staying within 8 KiB (0: one element a node); below -5 is -5.
 */
function nodeTakes(bytes: number, count: number, size: number, fill: number): boolean {
  if (count === NODE_ELEMENTS) return false;
  const estimate = bytes + size + SIZE_ESTIMATE_OVERHEAD;
  const level = fill < 0 ? OPTIMIZATION_LEVEL[Math.min(-fill, OPTIMIZATION_LEVEL.length) - 1] : undefined;
  if (level !== undefined) return estimate <= level;
  if (estimate > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
}

/**
 * The element counts of the nodes Redis 7.0's quicklist makes of a list built by pushes at the tail under
 * list-max-listpack-size `fill` (nodeTakes): for a list whose nodes the store does not give.
 */
function pushedNodes(elements: readonly Buffer[], fill: number): number[] {
  const counts: number[] = [];
  let count = 0;
  let bytes = LISTPACK_EMPTY_BYTES;
  for (const element of elements) {
    if (count > 0 && !nodeTakes(bytes, count, element.length, fill)) {
      counts.push(count);
      count = 0;
      bytes = LISTPACK_EMPTY_BYTES;
    }
    count++;
    bytes += listpackEntrySize(element);
  }
  if (count > 0) counts.push(count);
  return counts;
}

/**
 * A list as quicklist nodes of listpacks of `nodes` elements each: the store's nodes, which split where Redis's do
 * for the same history of pushes and inserts (store/quicklist.ts), so a DUMP is Redis's bytes. (Redis keeps the
 * fill a list was made under, the store splits by the one in force at each push.)
 */
function writeList(w: RdbWriter, elements: readonly Buffer[], nodes: readonly number[]): void {
  w.len(nodes.length);
  let at = 0;
  for (const count of nodes) {
    w.len(QUICKLIST_PACKED);
    w.string(encodeListpack(elements.slice(at, at + count)));
    at += count;
  }
}

const INTEGER = /^(0|-?[1-9][0-9]{0,18})$/;

/** The members as integers when every one is a 64-bit integer (an intset can hold them), else null. */
function intsetMembers(members: readonly Buffer[]): bigint[] | null {
  const integers: bigint[] = [];
  for (const m of members) {
    if (m.length > 20) return null;
    const text = m.toString('latin1');
    if (!INTEGER.test(text)) return null;
    const n = BigInt(text);
    if (n < -(2n ** 63n) || n >= 2n ** 63n) return null;
    integers.push(n);
  }
  return integers;
}

/** Reads a value of RDB type `type` (the byte already read). */
export function readValue(r: RdbReader, type: number): RdbValue {
  switch (type) {
    case TYPE_STRING:
      return { type: 'string', value: r.string() };
    case TYPE_STREAM_LISTPACKS_2:
      return { type: 'stream', stream: readStream(r) };
    case TYPE_LIST:
      return { type: 'list', elements: readStrings(r, r.len()) };
    case TYPE_LIST_QUICKLIST_2:
      return readQuicklist(r);
    case TYPE_SET:
      return { type: 'set', members: readStrings(r, r.len()) };
    case TYPE_SET_INTSET:
      return { type: 'set', members: decodeIntset(r.string()) };
    case TYPE_HASH:
      return { type: 'hash', pairs: readStrings(r, r.len() * 2) };
    case TYPE_HASH_LISTPACK: {
      const pairs = decodeListpack(r.string());
      if (pairs.length % 2 !== 0) throw new RdbFormatError('hash listpack with an odd number of entries');
      return { type: 'hash', pairs, compact: true };
    }
    case TYPE_ZSET:
    case TYPE_ZSET_2: {
      const count = r.len();
      const entries: { member: Buffer; score: number }[] = [];
      for (let i = 0; i < count; i++) {
        const member = r.string();
        const score = type === TYPE_ZSET_2 ? r.binaryDouble() : r.asciiDouble();
        if (Number.isNaN(score)) throw new RdbFormatError('Zset with NAN score detected');
        entries.push({ member, score });
      }
      return { type: 'zset', entries };
    }
    case TYPE_ZSET_LISTPACK: {
      const flat = decodeListpack(r.string());
      if (flat.length % 2 !== 0) throw new RdbFormatError('zset listpack with an odd number of entries');
      const entries: { member: Buffer; score: number }[] = [];
      for (let i = 0; i < flat.length; i += 2)
        entries.push({ member: flat[i], score: readScore(flat[i + 1]) });
      return { type: 'zset', entries, compact: true };
    }
    default:
      throw new RdbFormatError(
        `Unsupported RDB value type ${type} (Redis < 7 encodings and modules are not loaded)`,
      );
  }
}

function readStrings(r: RdbReader, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) out.push(r.string());
  return out;
}

/**
 * A quicklist's elements and its nodes' element counts, as the file splits them: the loader keeps those nodes
 * (rdbLoadObject appends each listpack as a node, and a plain node holds its one element), dropping empty ones.
 */
function readQuicklist(r: RdbReader): RdbValue {
  const count = r.len();
  const elements: Buffer[] = [];
  const nodes: number[] = [];
  for (let i = 0; i < count; i++) {
    const container = r.len();
    const data = r.string();
    if (container === QUICKLIST_PLAIN) {
      elements.push(data);
      nodes.push(1);
    } else if (container === QUICKLIST_PACKED) {
      const packed = decodeListpack(data);
      for (const e of packed) elements.push(e);
      if (packed.length > 0) nodes.push(packed.length);
    } else throw new RdbFormatError(`Quicklist integrity check failed: container ${container}`);
  }
  return { type: 'list', elements, nodes };
}

/** A listpack score: an integer entry or the text d2string wrote (possibly "inf"/"-inf"). */
function readScore(text: Buffer): number {
  const { value, end } = strtod(text);
  if (end !== text.length || Number.isNaN(value)) throw new RdbFormatError('Zset listpack with a bad score');
  return value;
}
