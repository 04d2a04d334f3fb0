// A list's value (Redis 7.0's quicklist, the only list encoding 7.0 has): a doubly linked list of nodes in the
// arena, each a run of elements (list-element.ts) of at most list-max-listpack-size, and a 16-byte root in the
// key's entry (head, tail, element count, node count). Nodes are blocks of the key's segment, guarded by its
// lock like the entry; the root is changed in place, so the entry never moves while a list operation runs.
// A node keeps its elements in the middle of its block with room at both ends (a gap buffer), so a push or a
// pop at either end moves no other element, and a full node's neighbour takes the next push, as in Redis.
// Each node also keeps the bytes its elements would take as Redis's listpack (listpack-size.ts), and decides
// by them, with quicklist.c's rules, whether it takes one more element (pushes at either end, LINSERT's split
// and merges): so its nodes split where Redis 7.0's do, whatever mix of LPUSH, RPUSH and LINSERT built the list,
// and the DUMP of a list writes them as they are.
// Precondition of every method: the caller holds the segment's write lock (a read lock for the read-only ones).
// Knows the arena and the element codec; no entries, no commands.

import { readU32, writeU32 } from './byte-words.js';
import { sizeClass, type Arena } from './arena.js';
import { registerExternalEncoding } from './containers.js';
import { ENC_LIST_QUICKLIST, T_LIST, UNIT } from './layout.js';
import {
  bytesAt,
  elementBefore,
  elementEnd,
  elementEquals,
  elementSize,
  lengthAt,
  readElement,
  writeElement,
} from './list-element.js';
import { LISTPACK_EMPTY_BYTES, listpackEntryBytes } from './listpack-size.js';
import { scaledSample } from './sampled-size.js';

/** Bytes of a list's root in its entry's value. */
export const ROOT_BYTES = 16;
const R_HEAD = 0;
const R_TAIL = 4;
const R_COUNT = 8;
const R_NODES = 12;

// A node's header: uint32 words from the node's first word. Start and end are byte positions of its elements
// relative to its data (just past the header); the capacity is the block's size less the header.
const N_PREV = 0;
const N_NEXT = 1;
const N_COUNT = 2;
const N_START = 3;
const N_END = 4;
const N_UNITS = 5;
/** The bytes of the node's elements as Redis's listpack would hold them, header and end byte included (node->sz). */
const N_LP_BYTES = 6;
const NODE_HEADER = 28;
/** Bytes splice moves to make room in place; past this it lays the node out again (see splice). */
const SHORT_MOVE = 256;
/** The smallest node block (64 bytes): a short list costs its entry and one small block. */
const MIN_NODE_UNITS = 8;

// quicklist.c's fill rules: a negative fill limits a node's bytes (4, 8, 16, 32 or 64 KiB), a positive one its
// elements, and never past SIZE_SAFETY_LIMIT bytes; quicklistSetFill clamps the setting to -5 .. 2^15. The bytes
// are the node's listpack's plus the new element's own length plus SIZE_ESTIMATE_OVERHEAD (an estimate, as Redis
// makes it before encoding the element).
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;
const SIZE_ESTIMATE_OVERHEAD = 8;
const FILL_MAX = 1 << 15;

export function clampFill(fill: number): number {
  return fill > FILL_MAX ? FILL_MAX : fill < -5 ? -5 : fill;
}

/**
 * quicklist.c _quicklistNodeAllowInsert: whether a node of `count` elements and `lpBytes` listpack bytes may take
 * an element of `length` bytes.
 */
function allowInsert(count: number, lpBytes: number, length: number, fill: number): boolean {
  const estimate = lpBytes + length + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0 && estimate <= OPTIMIZATION_LEVEL[-fill - 1]) return true;
  if (estimate > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
}

/** quicklist.c _quicklistNodeAllowMerge: whether two nodes' elements may become one node (one header less). */
function allowMerge(countA: number, lpA: number, countB: number, lpB: number, fill: number): boolean {
  const merged = lpA + lpB - 11;
  if (fill < 0 && merged <= OPTIMIZATION_LEVEL[-fill - 1]) return true;
  if (merged > SIZE_SAFETY_LIMIT) return false;
  return countA + countB <= fill;
}

/** The most bytes a node grows to while it only takes elements its fill allows. */
function byteLimit(fill: number): number {
  return fill < 0 ? OPTIMIZATION_LEVEL[-fill - 1] : SIZE_SAFETY_LIMIT;
}

/** An empty list's root (what a new list's entry is made with, before its first push). */
export const EMPTY_ROOT: Uint8Array = new Uint8Array(ROOT_BYTES);

/** The element count of the list whose root is at byte `root` (any lock). */
export function listCount(arena: Arena, root: number): number {
  return readU32(arena.u8, root + R_COUNT);
}

/**
 * One list, worked on under its segment's lock: the root at byte offset `root`, blocks from `segment`, nodes
 * filled up to `fill` (list-max-listpack-size). Also a cursor over its elements (seek, advance, retreat).
 */
export class Quicklist {
  /** The cursor: the node and absolute byte position of the element it is on (node 0: past either end). */
  node = 0;
  pos = 0;
  private readonly fill: number;

  constructor(
    private readonly arena: Arena,
    private readonly segment: number,
    private readonly root: number,
    fill: number = -2,
  ) {
    this.fill = clampFill(fill);
  }

  // ---- The root ----

  get count(): number {
    return readU32(this.arena.u8, this.root + R_COUNT);
  }

  get nodeCount(): number {
    return readU32(this.arena.u8, this.root + R_NODES);
  }

  private get head(): number {
    return readU32(this.arena.u8, this.root + R_HEAD);
  }

  private get tail(): number {
    return readU32(this.arena.u8, this.root + R_TAIL);
  }

  private setRoot(field: number, value: number): void {
    writeU32(this.arena.u8, this.root + field, value);
  }

  private addCount(delta: number): void {
    this.setRoot(R_COUNT, this.count + delta);
  }

  // ---- Nodes ----

  private word(node: number, field: number): number {
    return this.arena.u32[node * 2 + field];
  }

  private setWord(node: number, field: number, value: number): void {
    this.arena.u32[node * 2 + field] = value;
  }

  private base(node: number): number {
    return node * UNIT + NODE_HEADER;
  }

  private start(node: number): number {
    return this.base(node) + this.word(node, N_START);
  }

  private end(node: number): number {
    return this.base(node) + this.word(node, N_END);
  }

  private used(node: number): number {
    return this.word(node, N_END) - this.word(node, N_START);
  }

  /** Whether node takes one more element of `length` bytes (its own length: Redis's estimate). */
  private allows(node: number, length: number): boolean {
    return allowInsert(this.word(node, N_COUNT), this.word(node, N_LP_BYTES), length, this.fill);
  }

  /** The listpack bytes of the element at `pos`. */
  private lpSizeAt(pos: number): number {
    const u8 = this.arena.u8;
    return listpackEntryBytes(u8, bytesAt(u8, pos), lengthAt(u8, pos));
  }

  private addLpBytes(node: number, delta: number): void {
    this.setWord(node, N_LP_BYTES, this.word(node, N_LP_BYTES) + delta);
  }

  /** A new unlinked node with room for `bytes` (elements not written, count 0), data placed at one end. */
  private newNode(bytes: number, atEnd: boolean): number {
    const units = Math.max(MIN_NODE_UNITS, Math.ceil((NODE_HEADER + bytes) / UNIT));
    const node = this.arena.alloc(this.segment, units);
    const start = atEnd ? units * UNIT - NODE_HEADER - bytes : 0;
    const u32 = this.arena.u32;
    u32[node * 2 + N_PREV] = 0;
    u32[node * 2 + N_NEXT] = 0;
    u32[node * 2 + N_COUNT] = 0;
    u32[node * 2 + N_START] = start;
    u32[node * 2 + N_END] = start + bytes;
    u32[node * 2 + N_UNITS] = units;
    u32[node * 2 + N_LP_BYTES] = LISTPACK_EMPTY_BYTES;
    return node;
  }

  /** Links an unlinked node after `previous` (0: as the head). */
  private linkAfter(previous: number, node: number): void {
    const next = previous === 0 ? this.head : this.word(previous, N_NEXT);
    this.setWord(node, N_PREV, previous);
    this.setWord(node, N_NEXT, next);
    if (previous === 0) this.setRoot(R_HEAD, node);
    else this.setWord(previous, N_NEXT, node);
    if (next === 0) this.setRoot(R_TAIL, node);
    else this.setWord(next, N_PREV, node);
    this.setRoot(R_NODES, this.nodeCount + 1);
  }

  /** Unlinks and frees a node (its elements must already be out of the root's count). */
  private dropNode(node: number): void {
    const previous = this.word(node, N_PREV);
    const next = this.word(node, N_NEXT);
    if (previous === 0) this.setRoot(R_HEAD, next);
    else this.setWord(previous, N_NEXT, next);
    if (next === 0) this.setRoot(R_TAIL, previous);
    else this.setWord(next, N_PREV, previous);
    this.setRoot(R_NODES, this.nodeCount - 1);
    this.arena.free(this.segment, node, this.word(node, N_UNITS));
  }

  /** Puts `moved` (a copy of `node`) in node's place in the list and frees node. */
  private replaceNode(node: number, moved: number): void {
    const previous = this.word(node, N_PREV);
    const next = this.word(node, N_NEXT);
    this.setWord(moved, N_PREV, previous);
    this.setWord(moved, N_NEXT, next);
    this.setWord(moved, N_COUNT, this.word(node, N_COUNT));
    this.setWord(moved, N_LP_BYTES, this.word(node, N_LP_BYTES));
    if (previous === 0) this.setRoot(R_HEAD, moved);
    else this.setWord(previous, N_NEXT, moved);
    if (next === 0) this.setRoot(R_TAIL, moved);
    else this.setWord(next, N_PREV, moved);
    this.arena.free(this.segment, node, this.word(node, N_UNITS));
  }

  /** Where splice left its room: the node (it may have moved to a bigger block) and the room's position. */
  private placedNode = 0;
  private placedAt = 0;

  /**
   * Replaces node's bytes [from, to) (absolute, on element boundaries) with room for `bytes` bytes, moving the
   * shorter side of the node's elements when that is short, else laying them out again with the free room
   * where the edit is (or centred), or moving the node to a bigger block (twice its size up to the fill's byte limit) when it is full. Sets placedNode/placedAt. The
   * element count is the caller's to change.
   */
  private splice(node: number, from: number, to: number, bytes: number): void {
    const u8 = this.arena.u8;
    const base = this.base(node);
    const s = this.start(node);
    const e = this.end(node);
    const capacity = this.word(node, N_UNITS) * UNIT - NODE_HEADER;
    const delta = bytes - (to - from);
    this.placedNode = node;
    if (delta <= 0) {
      const shrink = -delta;
      if (from - s <= e - to) {
        if (shrink > 0) u8.copyWithin(s + shrink, s, from);
        this.setWord(node, N_START, s + shrink - base);
        this.placedAt = from + shrink;
      } else {
        u8.copyWithin(to - shrink, to, e);
        this.setWord(node, N_END, e - shrink - base);
        this.placedAt = from;
      }
      return;
    }
    // Moving one side by delta is taken only while it is short: a push at an end with no room left there
    // would otherwise move the whole node again on every push. A long move re-centres instead (below), which
    // leaves all the free room on the side being pushed to.
    const headCost = s - base >= delta ? from - s : Infinity;
    const tailCost = base + capacity - e >= delta ? e - to : Infinity;
    if (Math.min(headCost, tailCost) <= SHORT_MOVE) {
      if (headCost <= tailCost) {
        u8.copyWithin(s - delta, s, from);
        this.setWord(node, N_START, s - delta - base);
        this.placedAt = from - delta;
      } else {
        u8.copyWithin(to + delta, to, e);
        this.setWord(node, N_END, e + delta - base);
        this.placedAt = from;
      }
      return;
    }
    const used = e - s + delta;
    // An edit at one end leaves all the free room at that end (pushes tend to come in runs on one side).
    const place = (room: number): number =>
      from === s && to !== e ? room : to === e && from !== s ? 0 : Math.floor(room / 2);
    if (used <= capacity) {
      const before = Buffer.from(u8.subarray(s, from));
      const after = Buffer.from(u8.subarray(to, e));
      const start = base + place(capacity - used);
      u8.set(before, start);
      u8.set(after, start + before.length + bytes);
      this.setWord(node, N_START, start - base);
      this.setWord(node, N_END, start + used - base);
      this.placedAt = start + before.length;
      return;
    }
    const grown = Math.max(used, Math.min(capacity * 2, byteLimit(this.fill)));
    const moved = this.newNode(grown, false); // may grow the arena: views re-read below
    const movedCapacity = this.word(moved, N_UNITS) * UNIT - NODE_HEADER;
    const movedBase = this.base(moved);
    const start = movedBase + place(movedCapacity - used);
    const view = this.arena.u8;
    view.copyWithin(start, s, from);
    view.copyWithin(start + (from - s) + bytes, to, e);
    this.setWord(moved, N_START, start - movedBase);
    this.setWord(moved, N_END, start + used - movedBase);
    this.replaceNode(node, moved);
    this.placedNode = moved;
    this.placedAt = start + (from - s);
  }

  // ---- Pushes and pops at the ends ----

  /** LPUSH of one element. */
  pushHead(value: Uint8Array): void {
    const size = elementSize(value.length);
    const head = this.head;
    if (head !== 0 && this.allows(head, value.length)) {
      const start = this.word(head, N_START);
      if (start >= size) {
        // Room before the first element: the usual case, written without splice.
        this.setWord(head, N_START, start - size);
        this.placedNode = head;
        this.placedAt = this.base(head) + start - size;
      } else {
        const s = this.base(head) + start;
        this.splice(head, s, s, size);
      }
    } else {
      const node = this.newNode(size, true);
      this.linkAfter(0, node);
      this.placedNode = node;
      this.placedAt = this.start(node);
    }
    writeElement(this.arena.u8, this.placedAt, value);
    this.setWord(this.placedNode, N_COUNT, this.word(this.placedNode, N_COUNT) + 1);
    this.addLpBytes(this.placedNode, this.lpSizeAt(this.placedAt));
    this.addCount(1);
  }

  /** RPUSH of one element. */
  pushTail(value: Uint8Array): void {
    const size = elementSize(value.length);
    const tail = this.tail;
    if (tail !== 0 && this.allows(tail, value.length)) {
      const end = this.word(tail, N_END);
      if (this.word(tail, N_UNITS) * UNIT - NODE_HEADER - end >= size) {
        // Room after the last element: the usual case, written without splice.
        this.setWord(tail, N_END, end + size);
        this.placedNode = tail;
        this.placedAt = this.base(tail) + end;
      } else {
        const e = this.base(tail) + end;
        this.splice(tail, e, e, size);
      }
    } else {
      const node = this.newNode(size, false);
      this.linkAfter(this.tail, node);
      this.placedNode = node;
      this.placedAt = this.start(node);
    }
    writeElement(this.arena.u8, this.placedAt, value);
    this.setWord(this.placedNode, N_COUNT, this.word(this.placedNode, N_COUNT) + 1);
    this.addLpBytes(this.placedNode, this.lpSizeAt(this.placedAt));
    this.addCount(1);
  }

  /**
   * Appends a node holding exactly `values` (at least one) at the tail, whatever the fill: a node as an RDB file
   * or a DUMP payload gives it, kept as Redis 7.0's loader keeps it (rdbLoadObject's quicklistAppendListpack).
   */
  appendNode(values: readonly Uint8Array[]): void {
    let bytes = 0;
    for (const value of values) bytes += elementSize(value.length);
    const node = this.newNode(bytes, false);
    this.linkAfter(this.tail, node);
    let at = this.start(node);
    let lpBytes = LISTPACK_EMPTY_BYTES;
    for (const value of values) {
      writeElement(this.arena.u8, at, value);
      lpBytes += this.lpSizeAt(at);
      at += elementSize(value.length);
    }
    this.setWord(node, N_COUNT, values.length);
    this.setWord(node, N_LP_BYTES, lpBytes);
    this.addCount(values.length);
  }

  /** LPOP of one element; null for an empty list. */
  popHead(): Buffer | null {
    const node = this.head;
    if (node === 0) return null;
    const u8 = this.arena.u8;
    const s = this.start(node);
    const value = readElement(u8, s);
    this.removeFromEnd(node, s, elementEnd(u8, s), true);
    return value;
  }

  /** RPOP of one element; null for an empty list. */
  popTail(): Buffer | null {
    const node = this.tail;
    if (node === 0) return null;
    const u8 = this.arena.u8;
    const e = this.end(node);
    const s = elementBefore(u8, e);
    const value = readElement(u8, s);
    this.removeFromEnd(node, s, e, false);
    return value;
  }

  /** Takes the element [from, to) at one end of node out of it (the node goes when it was its last). */
  private removeFromEnd(node: number, from: number, to: number, atHead: boolean): void {
    const count = this.word(node, N_COUNT) - 1;
    if (count === 0) this.dropNode(node);
    else {
      this.setWord(node, N_COUNT, count);
      this.addLpBytes(node, -this.lpSizeAt(from));
      if (atHead) this.setWord(node, N_START, to - this.base(node));
      else this.setWord(node, N_END, from - this.base(node));
    }
    this.addCount(-1);
  }

  /** Removes the first n elements (LTRIM, LPOP with a count): whole nodes by their counts, then a walk. */
  deleteHead(n: number): void {
    n = Math.min(n, this.count);
    this.addCount(-n);
    while (n > 0) {
      const node = this.head;
      const count = this.word(node, N_COUNT);
      if (count <= n) {
        this.dropNode(node);
        n -= count;
        continue;
      }
      const u8 = this.arena.u8;
      let pos = this.start(node);
      let lpBytes = 0;
      for (let i = 0; i < n; i++) {
        lpBytes += this.lpSizeAt(pos);
        pos = elementEnd(u8, pos);
      }
      this.addLpBytes(node, -lpBytes);
      this.setWord(node, N_START, pos - this.base(node));
      this.setWord(node, N_COUNT, count - n);
      n = 0;
    }
  }

  /** Removes the last n elements. */
  deleteTail(n: number): void {
    n = Math.min(n, this.count);
    this.addCount(-n);
    while (n > 0) {
      const node = this.tail;
      const count = this.word(node, N_COUNT);
      if (count <= n) {
        this.dropNode(node);
        n -= count;
        continue;
      }
      const u8 = this.arena.u8;
      let pos = this.end(node);
      let lpBytes = 0;
      for (let i = 0; i < n; i++) {
        pos = elementBefore(u8, pos);
        lpBytes += this.lpSizeAt(pos);
      }
      this.addLpBytes(node, -lpBytes);
      this.setWord(node, N_END, pos - this.base(node));
      this.setWord(node, N_COUNT, count - n);
      n = 0;
    }
  }

  // ---- The cursor ----

  /** Puts the cursor on element `index` (0 .. count - 1), skipping whole nodes from the nearer end. */
  seek(index: number): void {
    const u8 = this.arena.u8;
    let node: number;
    let inNode: number;
    if (index < this.count / 2) {
      node = this.head;
      while (index >= this.word(node, N_COUNT)) {
        index -= this.word(node, N_COUNT);
        node = this.word(node, N_NEXT);
      }
      inNode = index;
    } else {
      let fromEnd = this.count - 1 - index;
      node = this.tail;
      while (fromEnd >= this.word(node, N_COUNT)) {
        fromEnd -= this.word(node, N_COUNT);
        node = this.word(node, N_PREV);
      }
      inNode = this.word(node, N_COUNT) - 1 - fromEnd;
    }
    const count = this.word(node, N_COUNT);
    let pos: number;
    if (inNode < count / 2) {
      pos = this.start(node);
      for (let i = 0; i < inNode; i++) pos = elementEnd(u8, pos);
    } else {
      pos = this.end(node);
      for (let i = count - inNode; i > 0; i--) pos = elementBefore(u8, pos);
    }
    this.node = node;
    this.pos = pos;
  }

  /** Puts the cursor on the first element (node 0 if the list is empty). */
  seekHead(): void {
    this.node = this.head;
    this.pos = this.node === 0 ? 0 : this.start(this.node);
  }

  /** Puts the cursor on the last element (node 0 if the list is empty). */
  seekTail(): void {
    this.node = this.tail;
    this.pos = this.node === 0 ? 0 : elementBefore(this.arena.u8, this.end(this.node));
  }

  /** Moves the cursor to the next element; false (node 0) past the last. */
  advance(): boolean {
    const next = elementEnd(this.arena.u8, this.pos);
    if (next < this.end(this.node)) {
      this.pos = next;
      return true;
    }
    this.node = this.word(this.node, N_NEXT);
    if (this.node === 0) return false;
    this.pos = this.start(this.node);
    return true;
  }

  /** Moves the cursor to the previous element; false (node 0) before the first. */
  retreat(): boolean {
    if (this.pos > this.start(this.node)) {
      this.pos = elementBefore(this.arena.u8, this.pos);
      return true;
    }
    this.node = this.word(this.node, N_PREV);
    if (this.node === 0) return false;
    this.pos = elementBefore(this.arena.u8, this.end(this.node));
    return true;
  }

  /** A copy of the element under the cursor. */
  current(): Buffer {
    return readElement(this.arena.u8, this.pos);
  }

  currentEquals(value: Uint8Array): boolean {
    return elementEquals(this.arena.u8, this.pos, value);
  }

  /** The next n elements from the cursor on (LRANGE): the cursor must be on an element and n in range. */
  read(n: number): Buffer[] {
    const out = new Array<Buffer>(n);
    const u8 = this.arena.u8;
    let node = this.node;
    let pos = this.pos;
    let end = this.end(node);
    for (let i = 0; i < n; i++) {
      if (pos >= end) {
        node = this.word(node, N_NEXT);
        pos = this.start(node);
        end = this.end(node);
      }
      out[i] = readElement(u8, pos);
      pos = elementEnd(u8, pos);
    }
    return out;
  }

  /**
   * Deletes the element under the cursor and moves the cursor on in the walk's direction (towards the tail
   * if `forward`); false when no element is left that way.
   */
  deleteCurrent(forward: boolean): boolean {
    const node = this.node;
    const count = this.word(node, N_COUNT);
    this.addCount(-1);
    if (count === 1) {
      const previous = this.word(node, N_PREV);
      const next = this.word(node, N_NEXT);
      this.dropNode(node);
      this.node = forward ? next : previous;
      if (this.node === 0) return false;
      this.pos = forward ? this.start(next) : elementBefore(this.arena.u8, this.end(previous));
      return true;
    }
    this.addLpBytes(node, -this.lpSizeAt(this.pos));
    this.splice(node, this.pos, elementEnd(this.arena.u8, this.pos), 0);
    this.setWord(node, N_COUNT, count - 1);
    const boundary = this.placedAt; // between the elements that were before and after the deleted one
    if (forward) {
      if (boundary < this.end(node)) {
        this.pos = boundary;
        return true;
      }
      this.node = this.word(node, N_NEXT);
      if (this.node === 0) return false;
      this.pos = this.start(this.node);
      return true;
    }
    if (boundary > this.start(node)) {
      this.pos = elementBefore(this.arena.u8, boundary);
      return true;
    }
    this.node = this.word(node, N_PREV);
    if (this.node === 0) return false;
    this.pos = elementBefore(this.arena.u8, this.end(this.node));
    return true;
  }

  /** LSET: the element under the cursor becomes `value` (its node grows past the fill if it must). */
  replaceCurrent(value: Uint8Array): void {
    const replaced = this.lpSizeAt(this.pos);
    this.splice(this.node, this.pos, elementEnd(this.arena.u8, this.pos), elementSize(value.length));
    writeElement(this.arena.u8, this.placedAt, value);
    this.addLpBytes(this.placedNode, this.lpSizeAt(this.placedAt) - replaced);
  }

  /**
   * LINSERT: `value` goes before (or after) the element under the cursor, as quicklist.c _quicklistInsert puts it:
   * into the node when it takes it; else, at the node's edge, into the neighbour there when that takes it, or
   * into a new node; else the node is split at the element, the value joins the part on the far side of the
   * element, and the nodes around the part holding the element are merged where they fit (_quicklistMergeNodes).
   */
  insertAtCursor(value: Uint8Array, after: boolean): void {
    const size = elementSize(value.length);
    let node = this.node;
    const at = after ? elementEnd(this.arena.u8, this.pos) : this.pos;
    this.addCount(1);
    if (this.allows(node, value.length)) return this.insertInto(node, at, value, size);
    const previous = this.word(node, N_PREV);
    const next = this.word(node, N_NEXT);
    if (at === this.start(node) && previous !== 0 && this.allows(previous, value.length)) {
      return this.insertInto(previous, this.end(previous), value, size);
    }
    if (at === this.end(node) && next !== 0 && this.allows(next, value.length)) {
      return this.insertInto(next, this.start(next), value, size);
    }
    if (at !== this.start(node) && at !== this.end(node)) {
      this.splitAt(node, at);
      const second = this.word(node, N_NEXT);
      // _quicklistSplitNode: the element stays in `node` (after) or in `second` (before); the value goes to the
      // other part, next to the element.
      if (after) {
        this.insertInto(second, this.start(second), value, size);
        this.mergeAround(node);
      } else {
        this.insertInto(node, this.end(node), value, size);
        this.mergeAround(second);
      }
      return;
    }
    if (at === this.start(node)) node = this.word(node, N_PREV); // the new node goes before it
    const fresh = this.newNode(size, false);
    this.linkAfter(node, fresh);
    writeElement(this.arena.u8, this.start(fresh), value);
    this.setWord(fresh, N_COUNT, 1);
    this.addLpBytes(fresh, this.lpSizeAt(this.start(fresh)));
  }

  private insertInto(node: number, at: number, value: Uint8Array, size: number): void {
    this.splice(node, at, at, size);
    writeElement(this.arena.u8, this.placedAt, value);
    this.setWord(this.placedNode, N_COUNT, this.word(this.placedNode, N_COUNT) + 1);
    this.addLpBytes(this.placedNode, this.lpSizeAt(this.placedAt));
  }

  /** Moves node's elements from byte `at` on into a new node linked after it. */
  private splitAt(node: number, at: number): void {
    const u8 = this.arena.u8;
    const e = this.end(node);
    let moved = 0;
    let lpBytes = 0;
    for (let pos = at; pos < e; pos = elementEnd(u8, pos)) {
      moved++;
      lpBytes += this.lpSizeAt(pos);
    }
    const bytes = e - at;
    const second = this.newNode(bytes, false);
    this.arena.u8.copyWithin(this.start(second), at, e);
    this.setWord(second, N_COUNT, moved);
    this.addLpBytes(second, lpBytes);
    this.setWord(node, N_COUNT, this.word(node, N_COUNT) - moved);
    this.addLpBytes(node, -lpBytes);
    this.setWord(node, N_END, at - this.base(node));
    this.linkAfter(node, second);
  }

  /** _quicklistNodeAllowMerge of two nodes (0: none, no merge). */
  private mayMerge(a: number, b: number): boolean {
    if (a === 0 || b === 0) return false;
    const count = (n: number): number => this.word(n, N_COUNT);
    const lp = (n: number): number => this.word(n, N_LP_BYTES);
    return allowMerge(count(a), lp(a), count(b), lp(b), this.fill);
  }

  /**
   * _quicklistMergeNodes around `centre`: the two nodes before it, the two after it, then the centre with the one
   * before it and the result with the one after it, each pair merged when it fits.
   */
  private mergeAround(centre: number): void {
    const previous = this.word(centre, N_PREV);
    const next = this.word(centre, N_NEXT);
    if (this.mayMerge(previous, previous === 0 ? 0 : this.word(previous, N_PREV))) {
      this.merge(this.word(previous, N_PREV), previous);
    }
    if (this.mayMerge(next, next === 0 ? 0 : this.word(next, N_NEXT)))
      this.merge(next, this.word(next, N_NEXT));
    let target = centre;
    const before = this.word(centre, N_PREV);
    if (this.mayMerge(centre, before)) target = this.merge(before, centre);
    const after = this.word(target, N_NEXT);
    if (this.mayMerge(target, after)) this.merge(target, after);
  }

  /** Appends b's elements (b follows a) to a's and drops b; the merged node (a, or a's new block). */
  private merge(a: number, b: number): number {
    const bytes = this.used(b);
    this.splice(a, this.end(a), this.end(a), bytes);
    const kept = this.placedNode;
    this.arena.u8.copyWithin(this.placedAt, this.start(b), this.end(b));
    this.setWord(kept, N_COUNT, this.word(kept, N_COUNT) + this.word(b, N_COUNT));
    this.addLpBytes(kept, this.word(b, N_LP_BYTES) - LISTPACK_EMPTY_BYTES);
    this.dropNode(b);
    return kept;
  }

  /** Each node's element count, head first: where the list's nodes split (DUMP writes a listpack per node). */
  nodeCounts(): number[] {
    const counts: number[] = [];
    for (let node = this.head; node !== 0; node = this.word(node, N_NEXT))
      counts.push(this.word(node, N_COUNT));
    return counts;
  }

  // ---- The whole list (the external encoding's hooks) ----

  /** Frees every node. */
  release(): void {
    for (let node = this.head; node !== 0;) {
      const next = this.word(node, N_NEXT);
      this.arena.free(this.segment, node, this.word(node, N_UNITS));
      node = next;
    }
    this.arena.u8.fill(0, this.root, this.root + ROOT_BYTES);
  }

  /** Its nodes' bytes: the first `samples` nodes' blocks scaled to every node (Redis samples quicklist nodes). */
  footprint(samples: number): number {
    let seen = 0;
    let bytes = 0;
    for (let node = this.head; node !== 0 && seen < samples; node = this.word(node, N_NEXT)) {
      bytes += sizeClass(this.word(node, N_UNITS)) * UNIT;
      seen++;
    }
    return scaledSample(bytes, seen, this.nodeCount);
  }

  /** The root is a byte copy of another list's: gives it copies of that list's nodes, from this segment. */
  cloneNodes(): void {
    let source = this.head;
    this.setRoot(R_HEAD, 0);
    this.setRoot(R_TAIL, 0);
    this.setRoot(R_NODES, 0);
    let previous = 0;
    try {
      while (source !== 0) {
        const used = this.used(source);
        const copy = this.newNode(used, false);
        this.arena.u8.copyWithin(this.start(copy), this.start(source), this.end(source));
        this.setWord(copy, N_COUNT, this.word(source, N_COUNT));
        this.setWord(copy, N_LP_BYTES, this.word(source, N_LP_BYTES));
        this.linkAfter(previous, copy);
        previous = copy;
        source = this.word(source, N_NEXT);
      }
    } catch (error) {
      this.release(); // the copies made so far (the arena refused one: OOM); the caller frees the entry
      throw error;
    }
  }
}

registerExternalEncoding(T_LIST, ENC_LIST_QUICKLIST, {
  release: (arena, segment, root) => new Quicklist(arena, segment, root).release(),
  clone: (arena, segment, root) => new Quicklist(arena, segment, root).cloneNodes(),
  // Reading only: the segment (for allocation) is not needed, and 0 stands for it.
  footprint: (arena, root, samples) => new Quicklist(arena, 0, root).footprint(samples),
});
