// The scalable encoding of a sorted set (Redis's OBJ_ENCODING_SKIPLIST, t_zset.c zsl*): a skip list ordered by
// (score, member) whose links carry spans, so a rank is found in O(log n), plus a hash table (dict.ts) from member
// to its skip list node, for O(1) ZSCORE. Every block belongs to the key's segment (its write lock to change it).
//
// Root (ROOT_BYTES, in the entry's value bytes, at any byte offset): the dict's 16-byte root, then the header
// node, the tail node, the length and the current level, u32 each. A node (unit offset n, u32 words from n * 2):
// its score as the f64 of unit n, the backward node, the dict node holding its member (the member's bytes live
// there only, once), its level L, then L (forward, span) pairs. The dict node's 4-byte value is the skip list
// node. So a 16-byte member costs a 40-byte dict node and a 32-byte skip list node (level 1: 3 in 4 nodes).
// Views are re-read after every allocation (dict.ts, arena.ts); byte offsets survive growth.

import { readU32 as read32, writeU32 as write32 } from './byte-words.js';
import { sizeClass, type Arena } from './arena.js';
import { registerExternalEncoding } from './containers.js';
import {
  DICT_ROOT_BYTES,
  dictDelete,
  dictFind,
  dictFootprint,
  dictInit,
  dictRelease,
  dictScan,
  dictSet,
  nodeFieldLength,
  nodeFieldStart,
  nodeValueStart,
} from './dict.js';
import { ENC_ZSET_SKIPLIST, T_ZSET, UNIT } from './layout.js';
import type { SortedSet } from './zset-encoding.js';
import { lexCountByRanks } from './zset-lex.js';
import { lexGteMin, lexLteMax, type LexRange, type ScoredMember } from './zset-types.js';
import { scaledSample } from './sampled-size.js';

export const ROOT_BYTES = DICT_ROOT_BYTES + 16;
const R_HEADER = DICT_ROOT_BYTES;
const R_TAIL = DICT_ROOT_BYTES + 4;
const R_LENGTH = DICT_ROOT_BYTES + 8;
const R_LEVEL = DICT_ROOT_BYTES + 12;

/** Redis's ZSKIPLIST_MAXLEVEL and ZSKIPLIST_P. */
const MAX_LEVEL = 32;
const P = 0.25;

const W_BACKWARD = 2;
const W_MEMBER = 3;
const W_LEVEL = 4;
const W_LEVELS = 5;
const NODE_HEADER_BYTES = 20;

const NO_MEMBER = new Uint8Array(0);

function nodeUnits(level: number): number {
  return Math.ceil((NODE_HEADER_BYTES + level * 8) / UNIT);
}

function randomLevel(): number {
  let level = 1;
  while (Math.random() < P && level < MAX_LEVEL) level++;
  return level;
}

/** Writes an empty skip list's root at byte offset `root` (its dict and header node). */
export function skiplistInit(arena: Arena, segment: number, root: number): void {
  dictInit(arena, segment, root);
  const header = arena.alloc(segment, nodeUnits(MAX_LEVEL));
  const u32 = arena.u32;
  u32.fill(0, header * 2, header * 2 + W_LEVELS + MAX_LEVEL * 2);
  u32[header * 2 + W_LEVEL] = MAX_LEVEL;
  const u8 = arena.u8;
  write32(u8, root + R_HEADER, header);
  write32(u8, root + R_TAIL, 0);
  write32(u8, root + R_LENGTH, 0);
  write32(u8, root + R_LEVEL, 1);
}

/** The skip list at byte offset `root` of an arena, as a SortedSet (changes need its segment's write lock). */
/** The dict value a node is inserted with, before its skip list node is known (dictSet copies it). */
const NO_NODE = new Uint8Array(4);

// Scratch of a search (zslInsert's update[] and rank[]): shared by every SkiplistZset of this thread, since a
// search never runs inside another; allocating them per set cost more than the search on a small set.
const UPDATE = new Uint32Array(MAX_LEVEL);
const RANKS = new Float64Array(MAX_LEVEL);

export class SkiplistZset implements SortedSet {
  private readonly update = UPDATE;
  private readonly ranks = RANKS;

  constructor(
    private readonly arena: Arena,
    private readonly segment: number,
    private readonly root: number,
  ) {}

  get length(): number {
    return read32(this.arena.u8, this.root + R_LENGTH);
  }

  private get header(): number {
    return read32(this.arena.u8, this.root + R_HEADER);
  }

  private get level(): number {
    return read32(this.arena.u8, this.root + R_LEVEL);
  }

  // ---- Node fields ----

  private forward(node: number, i: number): number {
    return this.arena.u32[node * 2 + W_LEVELS + i * 2];
  }

  private span(node: number, i: number): number {
    return this.arena.u32[node * 2 + W_LEVELS + i * 2 + 1];
  }

  private nodeScore(node: number): number {
    return this.arena.f64[node];
  }

  /** A view of a node's member (valid until the next allocation). */
  private memberView(node: number): Uint8Array {
    const member = this.arena.u32[node * 2 + W_MEMBER];
    if (member === 0) return NO_MEMBER;
    const start = nodeFieldStart(member);
    return this.arena.u8.subarray(start, start + nodeFieldLength(this.arena, member));
  }

  /** Whether node sorts before (score, member). */
  private before(node: number, score: number, member: Uint8Array): boolean {
    const s = this.arena.f64[node];
    if (s !== score) return s < score;
    return compareField(this.arena, this.arena.u32[node * 2 + W_MEMBER], member) < 0;
  }

  private nodeOf(member: Uint8Array): number {
    const dictNode = dictFind(this.arena, this.root, member);
    return dictNode === 0 ? 0 : read32(this.arena.u8, nodeValueStart(this.arena, dictNode));
  }

  // ---- Reading ----

  score(member: Uint8Array): number | undefined {
    const node = this.nodeOf(member);
    return node === 0 ? undefined : this.nodeScore(node);
  }

  rank(member: Uint8Array): number {
    const node = this.nodeOf(member);
    if (node === 0) return -1;
    const score = this.nodeScore(node);
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = this.forward(x, i); next !== 0; next = this.forward(x, i)) {
        if (next !== node && !this.before(next, score, member)) break;
        rank += this.span(x, i);
        x = next;
        if (x === node) return rank - 1;
      }
    }
    return rank - 1;
  }

  /** The node of 0-based rank (valid), by spans (zslGetElementByRank). */
  private nodeAt(rank: number): number {
    const target = rank + 1;
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (
        let next = this.forward(x, i);
        next !== 0 && traversed + this.span(x, i) <= target;
        next = this.forward(x, i)
      ) {
        traversed += this.span(x, i);
        x = next;
      }
      if (traversed === target) return x;
    }
    return 0;
  }

  scoreStart(bound: number, inclusive: boolean): number {
    let x = this.header;
    let count = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = this.forward(x, i); next !== 0; next = this.forward(x, i)) {
        const s = this.nodeScore(next);
        if (inclusive ? s > bound : s >= bound) break;
        count += this.span(x, i);
        x = next;
      }
    }
    return count;
  }

  lexStart(range: LexRange): number {
    let x = this.header;
    let count = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (
        let next = this.forward(x, i);
        next !== 0 && !lexGteMin(this.memberView(next), range);
        next = this.forward(x, i)
      ) {
        count += this.span(x, i);
        x = next;
      }
    }
    return count;
  }

  lexEnd(range: LexRange): number {
    let x = this.header;
    let count = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (
        let next = this.forward(x, i);
        next !== 0 && lexLteMax(this.memberView(next), range);
        next = this.forward(x, i)
      ) {
        count += this.span(x, i);
        x = next;
      }
    }
    return count - 1;
  }

  lexCount(range: LexRange): number {
    return lexCountByRanks(this, range);
  }

  lexRemovalStart(range: LexRange): number {
    return this.length === 0 ? -1 : this.lexStart(range);
  }

  walk(from: number, reverse: boolean, visit: (member: Buffer, score: number) => boolean): void {
    if (from < 0 || from >= this.length) return;
    for (let x = this.nodeAt(from); x !== 0;) {
      if (!visit(Buffer.from(this.memberView(x)), this.nodeScore(x))) return;
      x = reverse ? this.arena.u32[x * 2 + W_BACKWARD] : this.forward(x, 0);
    }
  }

  walkSelected(
    from: number,
    select: (score: number) => number,
    take: (member: Buffer, score: number) => boolean,
  ): void {
    if (from < 0 || from >= this.length) return;
    for (let x = this.nodeAt(from); x !== 0; x = this.forward(x, 0)) {
      const score = this.nodeScore(x);
      const choice = select(score);
      if (choice < 0) return;
      if (choice > 0 && !take(Buffer.from(this.memberView(x)), score)) return;
    }
  }

  /** One ZSCAN step over the member index (dict.ts dictScan's cursor). */
  scan(cursor: number, count: number): { cursor: number; elements: ScoredMember[] } {
    const nodes: number[] = [];
    const next = dictScan(this.arena, this.root, cursor, count, nodes);
    const elements = nodes.map((dictNode) => {
      const node = read32(this.arena.u8, nodeValueStart(this.arena, dictNode));
      const start = nodeFieldStart(dictNode);
      const member = Buffer.from(
        this.arena.u8.subarray(start, start + nodeFieldLength(this.arena, dictNode)),
      );
      return { member, score: this.nodeScore(node) };
    });
    return { cursor: next, elements };
  }

  // ---- Changing (write lock) ----

  insert(member: Uint8Array, score: number): void {
    const { node: dictNode } = dictSet(this.arena, this.segment, this.root, member, NO_NODE);
    const node = this.newNode(randomLevel(), score, dictNode);
    write32(this.arena.u8, nodeValueStart(this.arena, dictNode), node);
    this.link(node, score, member);
  }

  setScore(member: Uint8Array, old: number, score: number): void {
    const x = this.findUpdate(old, member);
    const u32 = this.arena.u32;
    const back = u32[x * 2 + W_BACKWARD];
    const next = this.forward(x, 0);
    // Still in order where it is: only the score changes (zslUpdateScore).
    if ((back === 0 || this.nodeScore(back) < score) && (next === 0 || this.nodeScore(next) > score)) {
      this.arena.f64[x] = score;
      return;
    }
    this.unlink(x);
    const level = u32[x * 2 + W_LEVEL];
    this.arena.f64[x] = score;
    // Re-linked at its new place with the same block; spans and links are rewritten by link().
    u32.fill(0, x * 2 + W_LEVELS, x * 2 + W_LEVELS + level * 2);
    this.link(x, score, member);
  }

  remove(member: Uint8Array): boolean {
    const node = this.nodeOf(member);
    if (node === 0) return false;
    this.findUpdate(this.nodeScore(node), member);
    this.unlink(node);
    this.freeNode(node);
    dictDelete(this.arena, this.segment, this.root, member);
    return true;
  }

  removeRanks(start: number, end: number): void {
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      for (
        let next = this.forward(x, i);
        next !== 0 && traversed + this.span(x, i) < start + 1;
        next = this.forward(x, i)
      ) {
        traversed += this.span(x, i);
        x = next;
      }
      this.update[i] = x;
    }
    traversed++;
    x = this.forward(x, 0);
    while (x !== 0 && traversed <= end + 1) {
      const next = this.forward(x, 0);
      const member = Buffer.from(this.memberView(x));
      this.unlink(x);
      this.freeNode(x);
      dictDelete(this.arena, this.segment, this.root, member);
      traversed++;
      x = next;
    }
  }

  // ---- Internals ----

  private newNode(level: number, score: number, dictNode: number): number {
    const node = this.arena.alloc(this.segment, nodeUnits(level));
    const u32 = this.arena.u32;
    u32.fill(0, node * 2, node * 2 + W_LEVELS + level * 2);
    this.arena.f64[node] = score;
    u32[node * 2 + W_MEMBER] = dictNode;
    u32[node * 2 + W_LEVEL] = level;
    return node;
  }

  private freeNode(node: number): void {
    this.arena.free(this.segment, node, nodeUnits(this.arena.u32[node * 2 + W_LEVEL]));
  }

  /** Links a node (its level, score and member set) at its place (zslInsert). Allocates nothing. */
  private link(node: number, score: number, member: Uint8Array): void {
    const u32 = this.arena.u32;
    const header = this.header;
    let level = this.level;
    let x = header;
    for (let i = level - 1; i >= 0; i--) {
      this.ranks[i] = i === level - 1 ? 0 : this.ranks[i + 1];
      for (
        let next = this.forward(x, i);
        next !== 0 && this.before(next, score, member);
        next = this.forward(x, i)
      ) {
        this.ranks[i] += this.span(x, i);
        x = next;
      }
      this.update[i] = x;
    }
    const length = this.length;
    const nodeLevel = u32[node * 2 + W_LEVEL];
    if (nodeLevel > level) {
      for (let i = level; i < nodeLevel; i++) {
        this.ranks[i] = 0;
        this.update[i] = header;
        u32[header * 2 + W_LEVELS + i * 2 + 1] = length;
      }
      level = nodeLevel;
      write32(this.arena.u8, this.root + R_LEVEL, level);
    }
    for (let i = 0; i < nodeLevel; i++) {
      const at = this.update[i] * 2 + W_LEVELS + i * 2;
      u32[node * 2 + W_LEVELS + i * 2] = u32[at];
      u32[at] = node;
      u32[node * 2 + W_LEVELS + i * 2 + 1] = u32[at + 1] - (this.ranks[0] - this.ranks[i]);
      u32[at + 1] = this.ranks[0] - this.ranks[i] + 1;
    }
    for (let i = nodeLevel; i < level; i++) u32[this.update[i] * 2 + W_LEVELS + i * 2 + 1]++;
    u32[node * 2 + W_BACKWARD] = this.update[0] === header ? 0 : this.update[0];
    const next = this.forward(node, 0);
    if (next !== 0) u32[next * 2 + W_BACKWARD] = node;
    else write32(this.arena.u8, this.root + R_TAIL, node);
    write32(this.arena.u8, this.root + R_LENGTH, length + 1);
  }

  /** Fills update[] for the node of (score, member), which must be there, and returns it. */
  private findUpdate(score: number, member: Uint8Array): number {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      for (
        let next = this.forward(x, i);
        next !== 0 && this.before(next, score, member);
        next = this.forward(x, i)
      ) {
        x = next;
      }
      this.update[i] = x;
    }
    return this.forward(x, 0);
  }

  /** Unlinks node x given update[] (zslDeleteNode). */
  private unlink(x: number): void {
    const u32 = this.arena.u32;
    let level = this.level;
    for (let i = 0; i < level; i++) {
      const at = this.update[i] * 2 + W_LEVELS + i * 2;
      if (u32[at] === x) {
        u32[at + 1] += this.span(x, i) - 1;
        u32[at] = this.forward(x, i);
      } else {
        u32[at + 1] -= 1;
      }
    }
    const next = this.forward(x, 0);
    if (next !== 0) u32[next * 2 + W_BACKWARD] = u32[x * 2 + W_BACKWARD];
    else write32(this.arena.u8, this.root + R_TAIL, u32[x * 2 + W_BACKWARD]);
    const header = this.header;
    while (level > 1 && this.forward(header, level - 1) === 0) level--;
    write32(this.arena.u8, this.root + R_LEVEL, level);
    write32(this.arena.u8, this.root + R_LENGTH, this.length - 1);
  }
}

/** memcmp, then the shorter first (sdscmp), of a dict node's field against bytes. */
function compareField(arena: Arena, dictNode: number, member: Uint8Array): number {
  const u8 = arena.u8;
  const start = nodeFieldStart(dictNode);
  const length = nodeFieldLength(arena, dictNode);
  const n = Math.min(length, member.length);
  for (let i = 0; i < n; i++) if (u8[start + i] !== member[i]) return u8[start + i] - member[i];
  return length - member.length;
}

/** Frees every node, the header and the dict of the skip list at `root`. */
export function skiplistRelease(arena: Arena, segment: number, root: number): void {
  let x = read32(arena.u8, root + R_HEADER);
  if (x === 0) return; // a root that was never initialised (its allocation failed): nothing was allocated
  while (x !== 0) {
    const next = arena.u32[x * 2 + W_LEVELS];
    arena.free(segment, x, nodeUnits(arena.u32[x * 2 + W_LEVEL]));
    x = next;
  }
  dictRelease(arena, segment, root);
}

/**
 * The root at `root` is a byte copy of another skip list's: builds a copy of its elements in `segment` (the
 * source's blocks are read, under their own segment's lock, which COPY/RENAME hold).
 */
export function skiplistClone(arena: Arena, segment: number, root: number): void {
  const sourceHeader = read32(arena.u8, root + R_HEADER);
  // The member index is rebuilt by the inserts (not dictClone'd): its values must name the new nodes.
  skiplistInit(arena, segment, root);
  const copy = new SkiplistZset(arena, segment, root);
  for (let x = arena.u32[sourceHeader * 2 + W_LEVELS]; x !== 0; x = arena.u32[x * 2 + W_LEVELS]) {
    const dictNode = arena.u32[x * 2 + W_MEMBER];
    const start = nodeFieldStart(dictNode);
    const member = Buffer.from(arena.u8.subarray(start, start + nodeFieldLength(arena, dictNode)));
    copy.insert(member, arena.f64[x]);
  }
}

/**
 * The skip list's bytes (ExternalEncoding.footprint): its member dict's, its header node, and its nodes, the first
 * `samples` scaled to the length (t_zset sampling in Redis's objectComputeSize).
 */
export function skiplistFootprint(arena: Arena, root: number, samples: number): number {
  const header = read32(arena.u8, root + R_HEADER);
  if (header === 0) return 0;
  const length = read32(arena.u8, root + R_LENGTH);
  const u32 = arena.u32;
  let seen = 0;
  let nodeBytes = 0;
  for (let x = u32[header * 2 + W_LEVELS]; x !== 0 && seen < samples; x = u32[x * 2 + W_LEVELS]) {
    nodeBytes += sizeClass(nodeUnits(u32[x * 2 + W_LEVEL])) * UNIT;
    seen++;
  }
  const nodes = scaledSample(nodeBytes, seen, length);
  return dictFootprint(arena, root, samples) + sizeClass(nodeUnits(MAX_LEVEL)) * UNIT + nodes;
}

registerExternalEncoding(T_ZSET, ENC_ZSET_SKIPLIST, {
  release: skiplistRelease,
  clone: skiplistClone,
  footprint: skiplistFootprint,
});
