// A stream's consumer groups (Redis 7.0's streamCG, streamConsumer, streamNACK): each group's last delivered ID and
// entries-read counter, its consumers (name, seen time, how many entries they own) in name order as Redis's rax
// keeps them, and its pending entries list (stream-pel.ts: a structure of its own in the arena, each entry naming
// its owner by a number the group gave it). Each consumer also keeps the IDs it owns in a list of its own (Redis's
// consumer PEL), so what reads one consumer's entries (XPENDING ... consumer, a history XREADGROUP, XGROUP
// DELCONSUMER) costs what that consumer owns, not the group's PEL; the group's records stay the one place that
// holds delivery times and counts. The groups and consumers are one small byte image in the key's segment
// (encodeGroups / decodeGroups) that a group command decodes and writes back under the key's lock: its cost is
// O(groups + consumers) whatever the PEL's size, and a PEL change costs O(log N) (Redis's trees: O(log N) both).
// `Group` is the plain form RDB and DUMP carry (every pending entry with its owner's name); `LiveGroup` is the
// stored one the commands work on. XADD, XRANGE and XREAD never touch either.

import type { Arena } from './arena.js';
import { Pel, type PelRecord } from './stream-pel.js';
import { MAX_U64, type StreamId } from './stream-id.js';

/** SCG_INVALID_ENTRIES_READ. */
export const INVALID_ENTRIES_READ = -1;

export interface PendingEntry {
  readonly id: StreamId;
  consumer: Buffer;
  deliveryTime: number;
  deliveryCount: number;
}

export interface Consumer {
  readonly name: Buffer;
  seenTime: number;
}

export interface Group {
  readonly name: Buffer;
  lastId: StreamId;
  entriesRead: number;
  /** By name. */
  readonly consumers: Consumer[];
  /** By ID. */
  readonly pending: PendingEntry[];
}

/** The pending entry with `id` in a plain list, by binary search, or its insertion index as -(index + 1). */
export function pendingIndex(pending: readonly PendingEntry[], id: StreamId): number {
  let lo = 0;
  let hi = pending.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = pending[mid].id;
    if (at === id) return mid;
    if (at < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -(lo + 1);
}

/**
 * A stored consumer: `number` names it in its group's PEL records, `pending` counts the records it owns, `pel` holds
 * their IDs (its records' other fields unused: the group's record has them).
 */
export interface LiveConsumer {
  readonly name: Buffer;
  seenTime: number;
  readonly number: number;
  pending: number;
  readonly pel: Pel;
}

/** A stored group: its consumers by name, its PEL in the arena. */
export interface LiveGroup {
  readonly name: Buffer;
  lastId: StreamId;
  entriesRead: number;
  /** By name. */
  readonly consumers: LiveConsumer[];
  /** The number the next consumer gets (numbers are never reused within a group). */
  nextNumber: number;
  readonly pel: Pel;
}

const byName = (a: { name: Buffer }, b: { name: Buffer }): number => Buffer.compare(a.name, b.name);

export function findGroup<G extends { name: Buffer }>(groups: readonly G[], name: Uint8Array): G | null {
  return groups.find((g) => g.name.equals(name)) ?? null;
}

export function findConsumer(group: LiveGroup, name: Uint8Array): LiveConsumer | null {
  return group.consumers.find((c) => c.name.equals(name)) ?? null;
}

/** The consumer with `number`, or null (0, XCLAIM FORCE's placeholder, names none). */
export function consumerByNumber(group: LiveGroup, number: number): LiveConsumer | null {
  return group.consumers.find((c) => c.number === number) ?? null;
}

/** Inserts keeping name order (raxInsert); the caller checked it is not there. */
export function insertByName<T extends { name: Buffer }>(list: T[], item: T): void {
  let at = list.findIndex((x) => byName(x, item) > 0);
  if (at === -1) at = list.length;
  list.splice(at, 0, item);
}

/** streamCreateConsumer: a new consumer with no pending entries, in name order. */
export function addConsumer(group: LiveGroup, name: Uint8Array, now: number): LiveConsumer {
  const consumer: LiveConsumer = {
    name: Buffer.from(name),
    seenTime: now,
    number: group.nextNumber++,
    pending: 0,
    pel: group.pel.sibling(),
  };
  insertByName(group.consumers, consumer);
  return consumer;
}

// ---- The PEL, with each consumer's list and count kept in step ----

/** The entry `id` leaves the list and count of the consumer numbered `number` (if there is one). */
function disown(group: LiveGroup, id: StreamId, number: number): void {
  const owner = consumerByNumber(group, number);
  if (owner === null) return;
  owner.pel.delete(id);
  owner.pending--;
}

/** Sets the pending entry `id` (added, or reassigned) as owned by `consumer`. */
export function setPending(
  group: LiveGroup,
  id: StreamId,
  consumer: LiveConsumer,
  deliveryTime: number,
  deliveryCount: number,
): void {
  const old = group.pel.set(id, consumer.number, deliveryTime, deliveryCount);
  if (old !== null && old.consumer === consumer.number) return;
  if (old !== null) disown(group, id, old.consumer);
  consumer.pel.set(id, consumer.number, 0, 0);
  consumer.pending++;
}

/** Changes the delivery time and count of a pending entry, its owner kept. */
export function touchPending(
  group: LiveGroup,
  record: PelRecord,
  deliveryTime: number,
  deliveryCount: number,
): void {
  group.pel.set(record.id, record.consumer, deliveryTime, deliveryCount);
}

/** Removes the pending entry `id`; false if it was not pending. */
export function removePending(group: LiveGroup, id: StreamId): boolean {
  const record = group.pel.delete(id);
  if (record === null) return false;
  disown(group, id, record.consumer);
  return true;
}

/**
 * The consumer's own pending entries from the first with an ID >= `from`, in ID order, each the group's record:
 * its own list walked, one lookup in the group's per entry. The walk may change the group's records, not owners.
 */
export function* consumerPending(
  group: LiveGroup,
  consumer: LiveConsumer,
  from: StreamId = 0n,
): Generator<PelRecord> {
  for (const own of consumer.pel.from(from)) {
    const record = group.pel.get(own.id);
    if (record !== null) yield record;
  }
}

/** Removes a consumer and the entries it owns (XGROUP DELCONSUMER); returns how many it owned. */
export function deleteConsumer(group: LiveGroup, consumer: LiveConsumer): number {
  const owned = consumer.pending;
  for (const own of consumer.pel.all()) group.pel.delete(own.id);
  consumer.pel.release();
  group.consumers.splice(group.consumers.indexOf(consumer), 1);
  return owned;
}

/** Frees a group's PEL and its consumers' lists (XGROUP DESTROY, the stream's deletion). */
export function releaseGroup(group: LiveGroup): void {
  group.pel.release();
  for (const consumer of group.consumers) consumer.pel.release();
}

/** Gives the group and its consumers copies of the lists they name (a COPY of the stream's bytes). */
export function cloneGroupLists(group: LiveGroup): void {
  group.pel.root = group.pel.cloneBlocks();
  for (const consumer of group.consumers) consumer.pel.root = consumer.pel.cloneBlocks();
}

/** MEMORY USAGE: the group's PEL and its consumers' lists, as allocated. */
export function groupListsFootprint(group: LiveGroup): number {
  let bytes = group.pel.footprint();
  for (const consumer of group.consumers) bytes += consumer.pel.footprint();
  return bytes;
}

// ---- The plain form (RDB, DUMP, XINFO STREAM FULL) ----

/** Each consumer's own pending entries of a plain group, by consumer name (latin1), in ID order: one pass. */
export function pendingByConsumer(group: Group): Map<string, PendingEntry[]> {
  const out = new Map<string, PendingEntry[]>();
  for (const c of group.consumers) out.set(c.name.toString('latin1'), []);
  for (const p of group.pending) out.get(p.consumer.toString('latin1'))?.push(p);
  return out;
}

/** A group as RDB carries it. */
export function plainGroup(group: LiveGroup): Group {
  const names = new Map(group.consumers.map((c) => [c.number, c.name]));
  const pending: PendingEntry[] = [];
  for (const r of group.pel.all()) {
    pending.push({
      id: r.id,
      consumer: names.get(r.consumer) ?? Buffer.alloc(0),
      deliveryTime: r.deliveryTime,
      deliveryCount: r.deliveryCount,
    });
  }
  return {
    name: group.name,
    lastId: group.lastId,
    entriesRead: group.entriesRead,
    consumers: group.consumers.map((c) => ({ name: c.name, seenTime: c.seenTime })),
    pending,
  };
}

/** A stored group holding what `plain` describes (its PEL built in the arena). */
export function liveGroup(arena: Arena, segment: number, plain: Group): LiveGroup {
  const group: LiveGroup = {
    name: plain.name,
    lastId: plain.lastId,
    entriesRead: plain.entriesRead,
    consumers: [],
    nextNumber: 1,
    pel: new Pel(arena, segment, 0),
  };
  const byConsumer = new Map<string, LiveConsumer>();
  for (const c of plain.consumers) {
    const consumer = addConsumer(group, c.name, c.seenTime);
    byConsumer.set(c.name.toString('latin1'), consumer);
  }
  try {
    for (const p of plain.pending) {
      const owner = byConsumer.get(p.consumer.toString('latin1'));
      if (owner === undefined) continue;
      setPending(group, p.id, owner, p.deliveryTime, p.deliveryCount);
    }
  } catch (error) {
    releaseGroup(group);
    throw error;
  }
  return group;
}

// ---- The byte image ----
/** Writes into one buffer sized in advance (a Buffer per field cost an allocation each). */
class Writer {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  u32(n: number): void {
    this.b.writeUInt32LE(n, this.at);
    this.at += 4;
  }
  f64(n: number): void {
    this.b.writeDoubleLE(n, this.at);
    this.at += 8;
  }
  id(id: StreamId): void {
    this.b.writeBigUInt64BE(id >> 64n, this.at);
    this.b.writeBigUInt64BE(id & MAX_U64, this.at + 8);
    this.at += 16;
  }
  bytes(value: Buffer): void {
    this.u32(value.length);
    value.copy(this.b, this.at);
    this.at += value.length;
  }
}

class Reader {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  u32(): number {
    const n = this.b.readUInt32LE(this.at);
    this.at += 4;
    return n;
  }
  f64(): number {
    const n = this.b.readDoubleLE(this.at);
    this.at += 8;
    return n;
  }
  id(): StreamId {
    const id = (this.b.readBigUInt64BE(this.at) << 64n) | this.b.readBigUInt64BE(this.at + 8);
    this.at += 16;
    return id;
  }
  /** A view into the image: the image given to decodeGroups is a copy of its own, never written. */
  bytes(): Buffer {
    const n = this.u32();
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

/**
 * Groups as bytes: count, then per group its name, last ID, entries read, PEL root, next consumer number and its
 * consumers (name, seen time, number, pending count, own list's root).
 */
export function encodeGroups(groups: readonly LiveGroup[]): Buffer {
  let size = 4;
  for (const g of groups) {
    size += 4 + g.name.length + 16 + 8 + 4 + 4 + 4;
    for (const c of g.consumers) size += 4 + c.name.length + 8 + 4 + 4 + 4;
  }
  const image = Buffer.allocUnsafe(size);
  const w = new Writer(image);
  w.u32(groups.length);
  for (const g of groups) {
    w.bytes(g.name);
    w.id(g.lastId);
    w.f64(g.entriesRead);
    w.u32(g.pel.root);
    w.u32(g.nextNumber);
    w.u32(g.consumers.length);
    for (const c of g.consumers) {
      w.bytes(c.name);
      w.f64(c.seenTime);
      w.u32(c.number);
      w.u32(c.pending);
      w.u32(c.pel.root);
    }
  }
  return image;
}

export function decodeGroups(bytes: Buffer, arena: Arena, segment: number): LiveGroup[] {
  const r = new Reader(bytes);
  const groups: LiveGroup[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const name = r.bytes();
    const lastId = r.id();
    const entriesRead = r.f64();
    const pel = new Pel(arena, segment, r.u32());
    const nextNumber = r.u32();
    const consumers: LiveConsumer[] = [];
    for (let k = r.u32(); k > 0; k--) {
      const [name, seenTime, number, pending] = [r.bytes(), r.f64(), r.u32(), r.u32()];
      consumers.push({ name, seenTime, number, pending, pel: new Pel(arena, segment, r.u32()) });
    }
    groups.push({ name, lastId, entriesRead, consumers, nextNumber, pel });
  }
  return groups;
}
