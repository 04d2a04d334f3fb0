// A small sorted set in its entry's own value bytes: a listpack (listpack.ts) of member, score pairs in the set's
// order (score, then member), each score as its 8 bytes of IEEE double, so it is read back exactly (inf too).
// Redis 7.0 keeps the same pairs in the same order (zzlInsert); its scores are text, which changes no reply.
// Lookups walk the bytes in place (O(n) for n <= zset-max-listpack-entries, as Redis's zzlFind); a change decodes
// the pairs into a ListpackZset, edits them and is encoded back whole. Pure: bytes in, bytes out.
// (Stored scores lose the sign of a zero, as Redis's do: zzlInsertAt stores an integral score as an integer.)

import {
  elementEquals,
  elementLength,
  elementStart,
  encodeListpack,
  firstElement,
  listpackCount,
  nextElement,
} from './listpack.js';
import type { SortedSet } from './zset-encoding.js';
import { firstInLexRange, lexCountByWalk } from './zset-lex.js';
import { compareMembers, compareScored, lexGteMin, lexLteMax, type LexRange } from './zset-types.js';

const scratch = new Float64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);

/** The score stored in the 8-byte element at `pos`. */
export function readScore(u8: Uint8Array, pos: number): number {
  const start = elementStart(u8, pos);
  for (let i = 0; i < 8; i++) scratchBytes[i] = u8[start + i];
  return scratch[0];
}

/** A score as stored: -0 becomes 0, as Redis 7.0's listpack keeps an integral score as an integer (double2ll). */
function scoreBytes(score: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeDoubleLE(score === 0 ? 0 : score, 0);
  return out;
}

/** Number of members of the listpack zset at `at`. */
export function listpackZsetLength(u8: Uint8Array, at: number): number {
  return listpackCount(u8, at) / 2;
}

/** The position of member's score element in the listpack at `at`, or -1 (zzlFind). */
export function listpackZsetFind(u8: Uint8Array, at: number, member: Uint8Array): number {
  const count = listpackCount(u8, at);
  let pos = firstElement(at);
  for (let i = 0; i < count; i += 2) {
    const scorePos = nextElement(u8, pos);
    if (elementEquals(u8, pos, member)) return scorePos;
    pos = nextElement(u8, scorePos);
  }
  return -1;
}

/** The longest member of the listpack zset at `at` (for the conversion thresholds). */
export function listpackZsetMaxMember(u8: Uint8Array, at: number): number {
  const count = listpackCount(u8, at);
  let pos = firstElement(at);
  let longest = 0;
  for (let i = 0; i < count; i += 2) {
    longest = Math.max(longest, elementLength(u8, pos));
    pos = nextElement(u8, nextElement(u8, pos));
  }
  return longest;
}

/** A listpack zset decoded into two arrays, edited, and encoded back (encode). */
export class ListpackZset implements SortedSet {
  constructor(
    readonly members: Buffer[] = [],
    readonly scores: number[] = [],
  ) {}

  static decode(u8: Uint8Array, at: number): ListpackZset {
    const count = listpackCount(u8, at) / 2;
    const members = new Array<Buffer>(count);
    const scores = new Array<number>(count);
    let pos = firstElement(at);
    for (let i = 0; i < count; i++) {
      const start = elementStart(u8, pos);
      members[i] = Buffer.from(u8.subarray(start, start + elementLength(u8, pos)));
      pos = nextElement(u8, pos);
      scores[i] = readScore(u8, pos);
      pos = nextElement(u8, pos);
    }
    return new ListpackZset(members, scores);
  }

  encode(): Buffer {
    const elements: Uint8Array[] = [];
    for (let i = 0; i < this.members.length; i++) elements.push(this.members[i], scoreBytes(this.scores[i]));
    return encodeListpack(elements);
  }

  get length(): number {
    return this.members.length;
  }

  score(member: Uint8Array): number | undefined {
    const i = this.rank(member);
    return i < 0 ? undefined : this.scores[i];
  }

  rank(member: Uint8Array): number {
    for (let i = 0; i < this.members.length; i++) if (compareMembers(this.members[i], member) === 0) return i;
    return -1;
  }

  scoreStart(bound: number, inclusive: boolean): number {
    let i = 0;
    while (i < this.scores.length && (inclusive ? this.scores[i] <= bound : this.scores[i] < bound)) i++;
    return i;
  }

  lexStart(range: LexRange): number {
    let i = 0;
    while (i < this.members.length && !lexGteMin(this.members[i], range)) i++;
    return i;
  }

  lexEnd(range: LexRange): number {
    let i = this.members.length - 1;
    while (i >= 0 && !lexLteMax(this.members[i], range)) i--;
    return i;
  }

  lexCount(range: LexRange): number {
    return lexCountByWalk(this, range);
  }

  lexRemovalStart(range: LexRange): number {
    return firstInLexRange(this, range);
  }

  walk(from: number, reverse: boolean, visit: (member: Buffer, score: number) => boolean): void {
    const step = reverse ? -1 : 1;
    for (let i = from; i >= 0 && i < this.members.length; i += step) {
      if (!visit(this.members[i], this.scores[i])) return;
    }
  }

  walkSelected(
    from: number,
    select: (score: number) => number,
    take: (member: Buffer, score: number) => boolean,
  ): void {
    for (let i = Math.max(0, from); i < this.members.length; i++) {
      const choice = select(this.scores[i]);
      if (choice < 0) return;
      if (choice > 0 && !take(this.members[i], this.scores[i])) return;
    }
  }

  insert(member: Uint8Array, score: number): void {
    // A listpack holds no -0 (scoreBytes writes 0, as Redis's stores it): this decoded copy agrees, since a
    // conversion to a skip list reads the copy (Redis converts from the bytes, where it is 0 already).
    if (score === 0) score = 0;
    let i = 0;
    while (i < this.members.length && compareScored(this.scores[i], this.members[i], score, member) < 0) i++;
    this.members.splice(i, 0, Buffer.from(member));
    this.scores.splice(i, 0, score);
  }

  setScore(member: Uint8Array, _old: number, score: number): void {
    this.remove(member);
    this.insert(member, score);
  }

  remove(member: Uint8Array): boolean {
    const i = this.rank(member);
    if (i < 0) return false;
    this.members.splice(i, 1);
    this.scores.splice(i, 1);
    return true;
  }

  removeRanks(start: number, end: number): void {
    this.members.splice(start, end - start + 1);
    this.scores.splice(start, end - start + 1);
  }
}
