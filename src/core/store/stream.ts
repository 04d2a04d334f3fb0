// A stream's value (Redis 7.0's t_stream.c, stream.h): entries in nodes that are Redis listpacks byte for byte
// (a master entry, then per entry its flags, ID deltas, fields or only values, and lp-count), found through a
// sorted index of the nodes' master IDs, and a root in the key's entry (lengths, last/first/max-deleted IDs).
// Why an index array and not Redis's radix tree: the keys are 16-byte IDs only ever appended in order, so a
// sorted array gives the tree's bounds with far less code: XADD appends to the last node or the array's end
// (O(1) amortised, the array doubles), a range seeks by binary search (O(log N)) and walks nodes in order
// (O(M)); trimming from the head moves a start slot, not the array. A forward range walks the node it starts in
// from its master entry, as Redis's iterator does, skipping entries before its start without decoding them, with
// IDs as exact numbers (stream-node.ts NodeScan; bigints only for IDs at 2^53 and above). The
// nodes keep Redis's exact bytes so that node boundaries (and so `~` trimming and XINFO) fall where Redis's
// do, and RDB and DUMP carry them unchanged.
// Precondition of every method: the caller holds the key's segment's write lock (read lock for reads); node and
// index blocks are the segment's. Knows the arena and the listpack codec; no entries, no commands.

import { sizeClass, type Arena } from './arena.js';
import { registerExternalEncoding } from './containers.js';
import { ENC_STREAM_LISTPACKS, T_STREAM, UNIT } from './layout.js';
import {
  lpAppendEncoded,
  lpAppendValues,
  lpElementSize,
  type ListpackValue,
  lpEmpty,
  lpEncode,
  lpEquals,
  lpFirst,
  lpNext,
  lpReplaceInteger,
  lpSmall,
  lpTotalBytes,
} from './stream-listpack.js';
import { readU32, writeU32 } from './byte-words.js';
import {
  cloneGroupLists,
  decodeGroups,
  encodeGroups,
  groupListsFootprint,
  liveGroup,
  plainGroup,
  releaseGroup,
  type Group,
  type LiveGroup,
} from './stream-groups.js';
import { idNumbersBuffer, MAX_U64, type StreamId } from './stream-id.js';
import { compareIdAt, dataViewOf, idWords, u64NumberAt } from './stream-id-words.js';
import { Pel } from './stream-pel.js';
import {
  decodeNode,
  entryFields,
  NodeScan,
  FLAG_DELETED,
  FLAG_SAMEFIELDS,
  type DecodedNode,
  type NodeEntry,
} from './stream-node.js';

// The root in the entry's value bytes.
export const ROOT_BYTES = 96;
const R_INDEX = 0; // unit offset of the index block (0: none)
const R_INDEX_CAPACITY = 4; // slots
const R_INDEX_START = 8; // first live slot
const R_INDEX_END = 12; // one past the last
const R_LENGTH = 16; // f64
const R_ENTRIES_ADDED = 24; // f64
const R_LAST_ID = 32; // 16 bytes big-endian, as every ID here
const R_MAX_DELETED_ID = 48;
const R_FIRST_ID = 64;
const R_GROUPS = 80; // reserved for consumer groups (0: none)

// An index slot: the node's master ID, its block (units) and the block's size in units.
const SLOT_BYTES = 24;
const S_BLOCK = 16;
const S_UNITS = 20;
const MIN_INDEX_SLOTS = 4;

/** STREAM_LISTPACK_MAX_SIZE: what one entry's fields and values may add up to. */
export const STREAM_LISTPACK_MAX_SIZE = 2 ** 30;
/** Redis's defaults of stream-node-max-bytes and stream-node-max-entries (CONFIG SET changes them). */
export const NODE_MAX_BYTES = 4096;
export const NODE_MAX_ENTRIES = 100;
/** Room kept past a node's listpack for the counters' growth (lpReplaceInteger: at most 9 bytes each). */
const NODE_SLACK = 32;

export const EMPTY_ROOT: Uint8Array = new Uint8Array(ROOT_BYTES);

/** One entry as read from a node. */
export interface StreamEntry {
  readonly id: StreamId;
  /** field, value, field, value, ... */
  readonly fields: Buffer[];
  /** The ID as text, when the reader had it cheaper than formatting the bigint (a range read by numbers). */
  readonly idText?: Buffer;
}

/**
 * An entry a range read with numbers: its bigint ID made only if asked for (XRANGE's reply needs only the text,
 * made from the numbers; XREADGROUP needs the bigint for its group's last ID and PEL).
 */
class ScannedEntry implements StreamEntry {
  private bigId: StreamId | null = null;
  constructor(
    private readonly ms: number,
    private readonly seq: number,
    readonly fields: Buffer[],
  ) {}
  get id(): StreamId {
    return (this.bigId ??= (BigInt(this.ms) << 64n) | BigInt(this.seq));
  }
  get idText(): Buffer {
    return idNumbersBuffer(this.ms, this.seq);
  }
}

/** A stream as RDB carries it: its nodes (master ID, listpack bytes) and the root's figures. */
export interface StreamDump {
  readonly nodes: readonly { readonly master: StreamId; readonly listpack: Buffer }[];
  readonly length: number;
  readonly lastId: StreamId;
  readonly firstId: StreamId;
  readonly maxDeletedId: StreamId;
  readonly entriesAdded: number;
  readonly groups: readonly Group[];
}

/** XTRIM/XADD's trimming (streamAddTrimArgs). */
export interface TrimSpec {
  readonly strategy: 'maxlen' | 'minid';
  readonly maxlen: number;
  readonly minid: StreamId;
  readonly approx: boolean;
  /** 0: no limit. */
  readonly limit: number;
}

/**
 * Little- and big-endian reads and writes at a base offset of the arena, the methods of Buffer the root and index
 * code uses, over one DataView per arena view: a Buffer view per access cost an allocation each (with the BigInt
 * reads, a quarter of XADD's CPU went to the garbage collector; bench/streams.ts under --cpu-prof).
 */
class ByteView {
  constructor(
    private readonly dv: DataView,
    private readonly base: number,
  ) {}
  readDoubleLE(at: number): number {
    return this.dv.getFloat64(this.base + at, true);
  }
  writeDoubleLE(n: number, at: number): void {
    this.dv.setFloat64(this.base + at, n, true);
  }
  readUInt32LE(at: number): number {
    return this.dv.getUint32(this.base + at, true);
  }
  writeUInt32LE(n: number, at: number): void {
    this.dv.setUint32(this.base + at, n, true);
  }
  readBigUInt64BE(at: number): bigint {
    return this.dv.getBigUint64(this.base + at);
  }
  writeBigUInt64BE(n: bigint, at: number): void {
    this.dv.setBigUint64(this.base + at, n);
  }
}

const dataView = dataViewOf;

function readId(view: ByteView, at: number): StreamId {
  return (view.readBigUInt64BE(at) << 64n) | view.readBigUInt64BE(at + 8);
}

function writeId(view: ByteView, at: number, id: StreamId): void {
  view.writeBigUInt64BE(id >> 64n, at);
  view.writeBigUInt64BE(id & MAX_U64, at + 8);
}

/** A uint64 difference as lpAppendInteger's int64_t argument: a number when it fits 32 bits. */
function int64Value(n: bigint): ListpackValue {
  const wrapped = BigInt.asIntN(64, n);
  return wrapped >= -2147483648n && wrapped <= 2147483647n ? Number(wrapped) : wrapped;
}

/** The one NodeScan of this thread: a range runs to its end before another starts (no re-entry). */
const sharedScan = new NodeScan();

export class Stream {
  constructor(
    private readonly arena: Arena,
    private readonly segment: number,
    private readonly root: number,
  ) {}

  private rootView: ByteView | null = null;
  private rootViewOf: Uint8Array | null = null;

  /** A view of the root, re-made only when the arena's views are. */
  private get r(): ByteView {
    const u8 = this.arena.u8;
    if (this.rootViewOf !== u8) {
      this.rootViewOf = u8;
      this.rootView = new ByteView(dataView(u8), this.root);
    }
    return this.rootView!;
  }

  get length(): number {
    return this.r.readDoubleLE(R_LENGTH);
  }

  private set length(n: number) {
    this.r.writeDoubleLE(n, R_LENGTH);
  }

  get entriesAdded(): number {
    return this.r.readDoubleLE(R_ENTRIES_ADDED);
  }

  get lastId(): StreamId {
    return readId(this.r, R_LAST_ID);
  }

  set lastId(id: StreamId) {
    writeId(this.r, R_LAST_ID, id);
  }

  get maxDeletedId(): StreamId {
    return readId(this.r, R_MAX_DELETED_ID);
  }

  set maxDeletedId(id: StreamId) {
    writeId(this.r, R_MAX_DELETED_ID, id);
  }

  get firstId(): StreamId {
    return readId(this.r, R_FIRST_ID);
  }

  set firstId(id: StreamId) {
    writeId(this.r, R_FIRST_ID, id);
  }

  set entriesAddedCount(n: number) {
    this.r.writeDoubleLE(n, R_ENTRIES_ADDED);
  }

  // ---- Consumer groups (stream-groups.ts: one block holding their byte image, 0 for none) ----

  /** The consumer groups as stored (an empty list when the stream has none): their PELs stay in the arena. */
  groups(): LiveGroup[] {
    const block = this.r.readUInt32LE(R_GROUPS);
    if (block === 0) return [];
    const u8 = this.arena.u8;
    const length = readU32(u8, block * UNIT);
    const image = Buffer.from(u8.subarray(block * UNIT + 4, block * UNIT + 4 + length));
    return decodeGroups(image, this.arena, this.segment);
  }

  /**
   * Writes the groups' image (none: no block), in place when it fits its block. The PELs are the groups' own:
   * a group dropped from the list must have released its PEL first.
   */
  setGroups(groups: readonly LiveGroup[]): void {
    const old = this.r.readUInt32LE(R_GROUPS);
    if (groups.length === 0) {
      this.freeGroupsImage();
      return;
    }
    const bytes = encodeGroups(groups);
    const units = Math.ceil((bytes.length + 4) / UNIT);
    if (old !== 0 && sizeClass(units) === sizeClass(this.groupsUnits(old))) {
      writeU32(this.arena.u8, old * UNIT, bytes.length);
      this.arena.u8.set(bytes, old * UNIT + 4);
      return;
    }
    const fresh = this.arena.alloc(this.segment, units);
    writeU32(this.arena.u8, fresh * UNIT, bytes.length);
    this.arena.u8.set(bytes, fresh * UNIT + 4);
    this.freeGroupsImage();
    this.r.writeUInt32LE(fresh, R_GROUPS);
  }

  /** A new group's PEL: empty, its blocks in this stream's segment once it has entries. */
  emptyPel(): Pel {
    return new Pel(this.arena, this.segment, 0);
  }

  /** A stored group holding what a plain one describes, its PEL built in this stream's segment. */
  liveGroup(plain: Group): LiveGroup {
    return liveGroup(this.arena, this.segment, plain);
  }

  /** The groups as RDB carries them (every PEL read out). */
  plainGroups(): Group[] {
    return this.groups().map(plainGroup);
  }

  private groupsUnits(block: number): number {
    return Math.ceil((readU32(this.arena.u8, block * UNIT) + 4) / UNIT);
  }

  private freeGroupsImage(): void {
    const block = this.r.readUInt32LE(R_GROUPS);
    if (block === 0) return;
    this.arena.free(this.segment, block, this.groupsUnits(block));
    this.r.writeUInt32LE(0, R_GROUPS);
  }

  /** Frees the groups: their PELs and their image. */
  private freeGroups(): void {
    for (const group of this.groups()) releaseGroup(group);
    this.freeGroupsImage();
  }

  // ---- The index ----

  get nodeCount(): number {
    const r = this.r;
    return r.readUInt32LE(R_INDEX_END) - r.readUInt32LE(R_INDEX_START);
  }

  private indexView(): ByteView {
    return new ByteView(dataView(this.arena.u8), this.r.readUInt32LE(R_INDEX) * UNIT);
  }

  /** The i-th live node (0-based from the first). */
  private slot(i: number): { master: StreamId; block: number; units: number } {
    const view = this.indexView();
    const at = (this.r.readUInt32LE(R_INDEX_START) + i) * SLOT_BYTES;
    return {
      master: readId(view, at),
      block: view.readUInt32LE(at + S_BLOCK),
      units: view.readUInt32LE(at + S_UNITS),
    };
  }

  private setSlotBlock(i: number, block: number, units: number): void {
    const view = this.indexView();
    const at = (this.r.readUInt32LE(R_INDEX_START) + i) * SLOT_BYTES;
    view.writeUInt32LE(block, at + S_BLOCK);
    view.writeUInt32LE(units, at + S_UNITS);
  }

  /** The master IDs of every node, in order (XINFO's radix-tree figures). */
  masterIds(): StreamId[] {
    const out: StreamId[] = [];
    for (let i = 0; i < this.nodeCount; i++) out.push(this.slot(i).master);
    return out;
  }

  /** Where slot i's bytes start in the arena. */
  private slotAt(i: number): number {
    const r = this.r;
    return r.readUInt32LE(R_INDEX) * UNIT + (r.readUInt32LE(R_INDEX_START) + i) * SLOT_BYTES;
  }

  /** Node i's master ID as (ms, seq) numbers: exact below 2^53 (stream-id-words.ts). */
  private masterNumbers(i: number): [number, number] {
    const at = this.slotAt(i);
    const u8 = this.arena.u8;
    return [u64NumberAt(u8, at), u64NumberAt(u8, at + 8)];
  }

  /** The last node whose master ID is <= id, or 0 when id is before every node (binary search). */
  private seek(id: StreamId): number {
    const key = idWords(id);
    const u8 = this.arena.u8;
    let lo = 0;
    let hi = this.nodeCount - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (compareIdAt(u8, this.slotAt(mid), key) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Appends a node slot, growing (or compacting) the index block when it is full. */
  private pushSlot(master: StreamId, block: number, units: number): void {
    let r = this.r;
    let start = r.readUInt32LE(R_INDEX_START);
    let end = r.readUInt32LE(R_INDEX_END);
    const capacity = r.readUInt32LE(R_INDEX_CAPACITY);
    if (end === capacity) {
      const live = end - start;
      const slots = Math.max(MIN_INDEX_SLOTS, live * 2);
      const units = Math.ceil((slots * SLOT_BYTES) / UNIT);
      const fresh = this.arena.alloc(this.segment, units);
      const old = r.readUInt32LE(R_INDEX);
      const u8 = this.arena.u8;
      if (old !== 0) {
        u8.copyWithin(fresh * UNIT, old * UNIT + start * SLOT_BYTES, old * UNIT + end * SLOT_BYTES);
        this.arena.free(this.segment, old, Math.ceil((capacity * SLOT_BYTES) / UNIT));
      }
      r = this.r;
      r.writeUInt32LE(fresh, R_INDEX);
      r.writeUInt32LE(slots, R_INDEX_CAPACITY);
      r.writeUInt32LE(0, R_INDEX_START);
      r.writeUInt32LE(live, R_INDEX_END);
      start = 0;
      end = live;
    }
    const view = this.indexView();
    writeId(view, end * SLOT_BYTES, master);
    view.writeUInt32LE(block, end * SLOT_BYTES + S_BLOCK);
    view.writeUInt32LE(units, end * SLOT_BYTES + S_UNITS);
    this.r.writeUInt32LE(end + 1, R_INDEX_END);
  }

  /** Frees node i and takes its slot out of the index. */
  private removeNode(i: number): void {
    const { block, units } = this.slot(i);
    this.arena.free(this.segment, block, units);
    const r = this.r;
    const start = r.readUInt32LE(R_INDEX_START);
    const end = r.readUInt32LE(R_INDEX_END);
    if (i === 0) r.writeUInt32LE(start + 1, R_INDEX_START);
    else {
      const base = r.readUInt32LE(R_INDEX) * UNIT;
      const at = base + (start + i) * SLOT_BYTES;
      this.arena.u8.copyWithin(at, at + SLOT_BYTES, base + end * SLOT_BYTES);
      r.writeUInt32LE(end - 1, R_INDEX_END);
    }
    if (this.nodeCount === 0) {
      r.writeUInt32LE(0, R_INDEX_START);
      r.writeUInt32LE(0, R_INDEX_END);
    }
  }

  // ---- Nodes ----

  private lpOf(i: number): number {
    return dataView(this.arena.u8).getUint32(this.slotAt(i) + S_BLOCK, true) * UNIT;
  }

  /** Makes node i's block hold at least `bytes` (its listpack and slack), moving it if it must grow. */
  private reserve(i: number, bytes: number): number {
    const at = this.slotAt(i);
    const dv = dataView(this.arena.u8);
    const block = dv.getUint32(at + S_BLOCK, true);
    const units = dv.getUint32(at + S_UNITS, true);
    if (bytes <= sizeClass(units) * UNIT) return block * UNIT;
    const grown = Math.ceil(Math.max(bytes, units * UNIT * 2) / UNIT);
    const fresh = this.arena.alloc(this.segment, grown);
    const u8 = this.arena.u8;
    u8.copyWithin(fresh * UNIT, block * UNIT, block * UNIT + lpTotalBytes(u8, block * UNIT));
    this.arena.free(this.segment, block, units);
    this.setSlotBlock(i, fresh, grown);
    return fresh * UNIT;
  }

  private newNode(master: StreamId, elements: readonly Buffer[]): void {
    let bytes = 7;
    for (const e of elements) bytes += e.length;
    const units = Math.ceil(Math.max(bytes + NODE_SLACK, 256) / UNIT);
    const block = this.arena.alloc(this.segment, units);
    const u8 = this.arena.u8;
    u8.set(lpEmpty(), block * UNIT);
    lpAppendEncoded(u8, block * UNIT, elements);
    this.pushSlot(master, block, units);
  }

  /** Every entry of node i, deleted ones included, in order. */
  private decodeNode(i: number): DecodedNode {
    return decodeNode(this.arena.u8, this.lpOf(i), this.slot(i).master);
  }

  private entryFields(node: DecodedNode, e: NodeEntry): Buffer[] {
    return entryFields(this.arena.u8, node, e);
  }

  // ---- Appending (streamAppendItem) ----

  /**
   * Adds an entry with `id` (already checked to be above lastId) and its field/value pairs, in the last node
   * unless it is full (stream-node-max-bytes / -entries), else in a new one.
   */
  append(
    id: StreamId,
    pairs: readonly Uint8Array[],
    nodeMaxBytes = NODE_MAX_BYTES,
    nodeMaxEntries = NODE_MAX_ENTRIES,
  ): void {
    const maxBytes =
      nodeMaxBytes === 0 || nodeMaxBytes > STREAM_LISTPACK_MAX_SIZE ? STREAM_LISTPACK_MAX_SIZE : nodeMaxBytes;
    const numFields = pairs.length / 2;
    let total = 0;
    for (const p of pairs) total += p.length;
    const nodes = this.nodeCount;
    let useLast = nodes > 0;
    if (useLast) {
      const u8 = this.arena.u8;
      const lp = this.lpOf(nodes - 1);
      if (lpTotalBytes(u8, lp) + total >= maxBytes) useLast = false;
      else if (nodeMaxEntries !== 0) {
        const first = lpFirst(u8, lp);
        if (lpSmall(u8, first) + lpSmall(u8, lpNext(u8, first)) >= nodeMaxEntries) useLast = false;
      }
    }
    let sameFields = true;
    if (!useLast) {
      const head: Buffer[] = [lpEncode(1n), lpEncode(0n), lpEncode(BigInt(numFields))];
      for (let f = 0; f < numFields; f++) head.push(lpEncode(pairs[f * 2]));
      head.push(lpEncode(0n));
      this.newNode(id, head);
    } else {
      const i = nodes - 1;
      const lp = this.reserve(i, lpTotalBytes(this.arena.u8, this.lpOf(i)) + NODE_SLACK);
      const u8 = this.arena.u8;
      let p = lpFirst(u8, lp);
      lpReplaceInteger(u8, lp, p, lpSmall(u8, p) + 1);
      p = lpNext(u8, lpNext(u8, p));
      const masterFields = lpSmall(u8, p);
      sameFields = masterFields === numFields;
      for (let f = 0; sameFields && f < numFields; f++) {
        p = lpNext(u8, p);
        sameFields = lpEquals(u8, p, pairs[f * 2]);
      }
    }
    // Written where they land (lpAppendValues), the deltas as numbers when they fit 32 bits (nearly always).
    const flags = sameFields ? FLAG_SAMEFIELDS : 0;
    const values: ListpackValue[] = [flags, ...this.deltas(id, useLast ? nodes - 1 : -1)];
    if (!sameFields) values.push(numFields);
    for (let f = 0; f < numFields; f++) {
      if (!sameFields) values.push(pairs[f * 2]);
      values.push(pairs[f * 2 + 1]);
    }
    let lpCount = numFields + 3;
    if (!sameFields) lpCount += numFields + 1;
    values.push(lpCount);
    let bytes = 0;
    for (const v of values) bytes += lpElementSize(v);
    const i = this.nodeCount - 1;
    const lp = this.reserve(i, lpTotalBytes(this.arena.u8, this.lpOf(i)) + bytes + NODE_SLACK);
    lpAppendValues(this.arena.u8, lp, values);
    this.length = this.length + 1;
    this.entriesAddedCount = this.entriesAdded + 1;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /**
   * The entry's ID less its node's master ID, ms and seq, as lpAppendInteger's int64_t arguments: by numbers
   * when both IDs are exact (node i's master read from the index; -1: the entry starts the node, 0 and 0).
   */
  private deltas(id: StreamId, i: number): [ListpackValue, ListpackValue] {
    if (i === -1) return [0, 0];
    const [masterMs, masterSeq] = this.masterNumbers(i);
    const ms = Number(id >> 64n);
    const seq = Number(id & MAX_U64);
    if (
      Number.isSafeInteger(ms) &&
      Number.isSafeInteger(seq) &&
      Number.isSafeInteger(masterMs) &&
      Number.isSafeInteger(masterSeq)
    ) {
      return [ms - masterMs, seq - masterSeq]; // exact, and within int64 (lpElementSize takes any number)
    }
    const master = this.slot(i).master;
    return [int64Value((id >> 64n) - (master >> 64n)), int64Value((id & MAX_U64) - (master & MAX_U64))];
  }

  // ---- Reading ----

  /** Entries with start <= id <= end (live ones), at most count (0: all), forward or reversed. */
  range(start: StreamId, end: StreamId, count: number, reverse: boolean): StreamEntry[] {
    const out: StreamEntry[] = [];
    const nodes = this.nodeCount;
    if (nodes === 0 || start > end) return out;
    if (!reverse) {
      const fast = this.rangeForward(start, end, count);
      if (fast !== null) return fast;
      for (let i = this.seek(start); i < nodes; i++) {
        const node = this.decodeNode(i);
        for (const e of node.entries) {
          if (e.id < start || e.flags & FLAG_DELETED) continue;
          if (e.id > end) return out;
          out.push({ id: e.id, fields: this.entryFields(node, e) });
          if (count !== 0 && out.length === count) return out;
        }
      }
    } else {
      for (let i = this.seek(end); i >= 0; i--) {
        const node = this.decodeNode(i);
        for (let k = node.entries.length - 1; k >= 0; k--) {
          const e = node.entries[k];
          if (e.id > end || e.flags & FLAG_DELETED) continue;
          if (e.id < start) return out;
          out.push({ id: e.id, fields: this.entryFields(node, e) });
          if (count !== 0 && out.length === count) return out;
        }
      }
    }
    return out;
  }

  /**
   * range() forward over IDs as numbers (NodeScan): from the node the start falls in, entries before it skipped
   * without being decoded, up to count. Null when a node holds an ID beyond exact numbers: range() then reads with
   * bigints. Bounds beyond 2^53 read as numbers above every exact ID, so they compare right (stream-id-words.ts).
   */
  private rangeForward(start: StreamId, end: StreamId, count: number): StreamEntry[] | null {
    const out: StreamEntry[] = [];
    const [startMs, startSeq] = [Number(start >> 64n), Number(start & MAX_U64)];
    const [endMs, endSeq] = [Number(end >> 64n), Number(end & MAX_U64)];
    const scan = sharedScan;
    const u8 = this.arena.u8;
    const nodes = this.nodeCount;
    for (let i = this.seek(start); i < nodes; i++) {
      const [masterMs, masterSeq] = this.masterNumbers(i);
      scan.start(u8, this.lpOf(i), masterMs, masterSeq);
      while (scan.next()) {
        const { ms, seq } = scan;
        if (ms < startMs || (ms === startMs && seq < startSeq) || scan.flags & FLAG_DELETED) continue;
        if (ms > endMs || (ms === endMs && seq > endSeq)) return out;
        out.push(new ScannedEntry(ms, seq, scan.fields()));
        if (count !== 0 && out.length === count) return out;
      }
      if (!scan.exact) return null;
    }
    return out;
  }

  /** streamGetEdgeID: the first or last entry's ID (tombstones skipped or not); null for none. */
  edgeId(first: boolean, skipTombstones: boolean): StreamId | null {
    const nodes = this.nodeCount;
    if (!first && nodes > 0) {
      // The last node's last (live) entry, by a scan with numbers; an emptied node falls to the nodes before it.
      const scan = sharedScan;
      for (let i = nodes - 1; i >= 0; i--) {
        const [masterMs, masterSeq] = this.masterNumbers(i);
        scan.start(this.arena.u8, this.lpOf(i), masterMs, masterSeq);
        let [foundMs, foundSeq] = [-1, -1];
        while (scan.next()) {
          if (!skipTombstones || !(scan.flags & FLAG_DELETED)) [foundMs, foundSeq] = [scan.ms, scan.seq];
        }
        if (!scan.exact) break; // an ID beyond exact numbers: read with bigints below
        if (foundMs !== -1) return (BigInt(foundMs) << 64n) | BigInt(foundSeq);
      }
    }
    for (let n = 0; n < nodes; n++) {
      const i = first ? n : nodes - 1 - n;
      const entries = this.decodeNode(i).entries;
      for (let k = 0; k < entries.length; k++) {
        const e = entries[first ? k : entries.length - 1 - k];
        if (!skipTombstones || !(e.flags & FLAG_DELETED)) return e.id;
      }
    }
    return null;
  }

  // ---- Deleting (streamIteratorRemoveEntry) ----

  /** Marks entry `id` deleted (its node freed if it was the node's last live one); false if not there. */
  delete(id: StreamId): boolean {
    if (this.nodeCount === 0) return false;
    const i = this.seek(id);
    const node = this.decodeNode(i);
    const e = node.entries.find((x) => x.id === id);
    if (e === undefined || e.flags & FLAG_DELETED) return false;
    this.markDeleted(i, [e.flagsAt], true);
    this.length = this.length - 1;
    return true;
  }

  /**
   * Sets the deleted flag of the entries at `flagsAt` (all live, same node) and moves them from the live count to
   * the deleted one. With `freeEmptied` (XDEL) a node left with no live entry is freed, as Redis frees it when
   * its last one goes; trimming inside a node keeps it, as Redis's streamTrim does.
   */
  private markDeleted(i: number, flagsAt: readonly number[], freeEmptied: boolean): void {
    const u8 = this.arena.u8;
    const lp = this.lpOf(i);
    const first = lpFirst(u8, lp);
    const live = lpSmall(u8, first);
    if (freeEmptied && live === flagsAt.length) {
      this.removeNode(i);
      return;
    }
    for (const at of flagsAt) {
      const f = lpSmall(u8, at);
      lpReplaceInteger(u8, lp, at, f | FLAG_DELETED); // same size: flags stay below 128
    }
    const lpAt = this.reserve(i, lpTotalBytes(u8, lp) + NODE_SLACK);
    const v = this.arena.u8;
    let p = lpFirst(v, lpAt);
    lpReplaceInteger(v, lpAt, p, live - flagsAt.length);
    p = lpNext(v, p);
    lpReplaceInteger(v, lpAt, p, lpSmall(v, p) + flagsAt.length);
  }

  // ---- Trimming (streamTrim) ----

  /** Removes entries from the head as the spec says; returns how many. */
  trim(spec: TrimSpec): number {
    let deleted = 0;
    while (this.nodeCount > 0) {
      if (spec.strategy === 'maxlen' && this.length <= spec.maxlen) break;
      const u8 = this.arena.u8;
      const lp = this.lpOf(0);
      const entries = lpSmall(u8, lpFirst(u8, lp));
      if (spec.limit !== 0 && deleted + entries > spec.limit) break;
      // The node is decoded only where its IDs decide (MINID, or an exact trim inside it): a MAXLEN ~ trim
      // that removes nothing, after nearly every XADD, reads two counters.
      let node: DecodedNode | null = null;
      const decoded = (): DecodedNode => (node ??= this.decodeNode(0));
      const removeNode =
        spec.strategy === 'maxlen'
          ? this.length - entries >= spec.maxlen
          : decoded().entries[decoded().entries.length - 1].id < spec.minid;
      if (removeNode) {
        this.removeNode(0);
        this.length = this.length - entries;
        deleted += entries;
        continue;
      }
      if (spec.approx) break;
      const marked: number[] = [];
      for (const e of decoded().entries) {
        const stop =
          spec.strategy === 'maxlen' ? this.length - marked.length <= spec.maxlen : e.id >= spec.minid;
        if (stop) break;
        if (!(e.flags & FLAG_DELETED)) marked.push(e.flagsAt);
      }
      if (marked.length > 0) {
        this.markDeleted(0, marked, false);
        this.length = this.length - marked.length;
        deleted += marked.length;
      }
      break;
    }
    if (this.length === 0) this.firstId = 0n;
    else if (deleted > 0) this.firstId = this.edgeId(true, true) ?? 0n;
    return deleted;
  }

  // ---- Life cycle (ExternalEncoding) ----

  release(): void {
    this.freeGroups();
    const r = this.r;
    const index = r.readUInt32LE(R_INDEX);
    if (index === 0) return;
    for (let i = 0; i < this.nodeCount; i++) {
      const { block, units } = this.slot(i);
      this.arena.free(this.segment, block, units);
    }
    this.arena.free(this.segment, index, Math.ceil((r.readUInt32LE(R_INDEX_CAPACITY) * SLOT_BYTES) / UNIT));
    const fresh = this.r;
    fresh.writeUInt32LE(0, R_INDEX);
    fresh.writeUInt32LE(0, R_INDEX_CAPACITY);
    fresh.writeUInt32LE(0, R_INDEX_START);
    fresh.writeUInt32LE(0, R_INDEX_END);
  }

  /** The root is a byte copy of another stream's: give it copies of the index and the nodes. */
  cloneBlocks(): void {
    const groups = this.r.readUInt32LE(R_GROUPS);
    if (groups !== 0) {
      const units = this.groupsUnits(groups);
      const copy = this.arena.alloc(this.segment, units);
      this.arena.u8.copyWithin(copy * UNIT, groups * UNIT, (groups + units) * UNIT);
      this.r.writeUInt32LE(copy, R_GROUPS);
      // The copied image still names the source's PELs: each gets its own copy.
      const live = this.groups();
      for (const group of live) cloneGroupLists(group);
      this.setGroups(live);
    }
    const r = this.r;
    const index = r.readUInt32LE(R_INDEX);
    if (index === 0) return;
    const nodes = this.nodeCount;
    const sources: { master: StreamId; block: number; units: number }[] = [];
    for (let i = 0; i < nodes; i++) sources.push(this.slot(i));
    const root = this.r;
    root.writeUInt32LE(0, R_INDEX);
    root.writeUInt32LE(0, R_INDEX_CAPACITY);
    root.writeUInt32LE(0, R_INDEX_START);
    root.writeUInt32LE(0, R_INDEX_END);
    try {
      for (const s of sources) {
        const block = this.arena.alloc(this.segment, s.units);
        const u8 = this.arena.u8;
        u8.copyWithin(block * UNIT, s.block * UNIT, s.block * UNIT + lpTotalBytes(u8, s.block * UNIT));
        try {
          this.pushSlot(s.master, block, s.units);
        } catch (error) {
          this.arena.free(this.segment, block, s.units);
          throw error;
        }
      }
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** MEMORY USAGE: the index block and every node's block. */
  footprint(): number {
    const r = this.r;
    const groups = r.readUInt32LE(R_GROUPS);
    let groupBytes = groups === 0 ? 0 : sizeClass(this.groupsUnits(groups)) * UNIT;
    for (const group of this.groups()) groupBytes += groupListsFootprint(group);
    if (r.readUInt32LE(R_INDEX) === 0) return groupBytes;
    let bytes = groupBytes;
    bytes += sizeClass(Math.ceil((r.readUInt32LE(R_INDEX_CAPACITY) * SLOT_BYTES) / UNIT)) * UNIT;
    for (let i = 0; i < this.nodeCount; i++) bytes += sizeClass(this.slot(i).units) * UNIT;
    return bytes;
  }

  /**
   * Fills an empty stream (a new root) with nodes as RDB carries them and the root's figures (RDB load,
   * RESTORE); the nodes' bytes are taken as they are.
   */
  load(dump: StreamDump): void {
    try {
      for (const node of dump.nodes) {
        const units = Math.ceil((node.listpack.length + NODE_SLACK) / UNIT);
        const block = this.arena.alloc(this.segment, units);
        this.arena.u8.set(node.listpack, block * UNIT);
        try {
          this.pushSlot(node.master, block, units);
        } catch (error) {
          this.arena.free(this.segment, block, units);
          throw error;
        }
      }
    } catch (error) {
      this.release();
      throw error;
    }
    this.length = dump.length;
    this.lastId = dump.lastId;
    this.firstId = dump.firstId;
    this.maxDeletedId = dump.maxDeletedId;
    this.entriesAddedCount = dump.entriesAdded;
    if (dump.groups.length > 0) {
      const live: LiveGroup[] = [];
      try {
        for (const group of dump.groups) live.push(liveGroup(this.arena, this.segment, group));
      } catch (error) {
        for (const group of live) releaseGroup(group);
        this.release();
        throw error;
      }
      this.setGroups(live);
    }
  }

  /** The stream as RDB carries it (RDB_TYPE_STREAM_LISTPACKS_2 without consumer groups). */
  dump(): StreamDump {
    return {
      nodes: this.nodes(),
      length: this.length,
      lastId: this.lastId,
      firstId: this.firstId,
      maxDeletedId: this.maxDeletedId,
      entriesAdded: this.entriesAdded,
      groups: this.plainGroups(),
    };
  }

  /** Each node's listpack bytes with its master ID, in order (RDB, DUMP). */
  nodes(): { master: StreamId; listpack: Buffer }[] {
    const out: { master: StreamId; listpack: Buffer }[] = [];
    const u8 = this.arena.u8;
    for (let i = 0; i < this.nodeCount; i++) {
      const { master, block } = this.slot(i);
      const lp = block * UNIT;
      out.push({ master, listpack: Buffer.from(u8.subarray(lp, lp + lpTotalBytes(u8, lp))) });
    }
    return out;
  }
}

registerExternalEncoding(T_STREAM, ENC_STREAM_LISTPACKS, {
  release: (arena, segment, root) => new Stream(arena, segment, root).release(),
  clone: (arena, segment, root) => new Stream(arena, segment, root).cloneBlocks(),
  footprint: (arena, root) => new Stream(arena, 0, root).footprint(),
});
