// A stream's consumer groups (Redis 7.0's streamCG, streamConsumer, streamNACK): each group's last delivered ID and
// entries-read counter, its consumers (name, seen time) and its pending entries list (ID, owner, delivery time and
// count), all in name or ID order as Redis's radix trees keep them. Kept in one block of the key's segment as a
// byte image (encodeGroups / decodeGroups) that a group command decodes, changes and writes back under the key's
// lock: a group command costs O(size of the stream's groups), where Redis's trees cost O(log N); XADD, XRANGE and
// XREAD never touch it. A consumer's own pending list is the group's entries that name it, in ID order.
// Pure: bytes in, objects out, and back.

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

const byName = (a: { name: Buffer }, b: { name: Buffer }): number => Buffer.compare(a.name, b.name);

export function findGroup(groups: readonly Group[], name: Uint8Array): Group | null {
  return groups.find((g) => g.name.equals(name)) ?? null;
}

export function findConsumer(group: Group, name: Uint8Array): Consumer | null {
  return group.consumers.find((c) => c.name.equals(name)) ?? null;
}

/** Inserts keeping name order (raxInsert); the caller checked it is not there. */
export function insertByName<T extends { name: Buffer }>(list: T[], item: T): void {
  let at = list.findIndex((x) => byName(x, item) > 0);
  if (at === -1) at = list.length;
  list.splice(at, 0, item);
}

/** The pending entry with `id`, by binary search, or its insertion index as -(index + 1). */
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

/** The consumer's own pending entries, in ID order. */
export function consumerPending(group: Group, name: Uint8Array): PendingEntry[] {
  return group.pending.filter((p) => p.consumer.equals(name));
}

// ---- The byte image ----

class Writer {
  private parts: Buffer[] = [];
  u32(n: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(n, 0);
    this.parts.push(b);
  }
  f64(n: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(n, 0);
    this.parts.push(b);
  }
  id(id: StreamId): void {
    const b = Buffer.allocUnsafe(16);
    b.writeBigUInt64BE(id >> 64n, 0);
    b.writeBigUInt64BE(id & MAX_U64, 8);
    this.parts.push(b);
  }
  bytes(value: Buffer): void {
    this.u32(value.length);
    this.parts.push(value);
  }
  take(): Buffer {
    return Buffer.concat(this.parts);
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
  bytes(): Buffer {
    const n = this.u32();
    const out = Buffer.from(this.b.subarray(this.at, this.at + n));
    this.at += n;
    return out;
  }
}

/** Groups as bytes: count, then per group its name, last ID, entries read, consumers, pending entries. */
export function encodeGroups(groups: readonly Group[]): Buffer {
  const w = new Writer();
  w.u32(groups.length);
  for (const g of groups) {
    w.bytes(g.name);
    w.id(g.lastId);
    w.f64(g.entriesRead);
    w.u32(g.consumers.length);
    for (const c of g.consumers) {
      w.bytes(c.name);
      w.f64(c.seenTime);
    }
    w.u32(g.pending.length);
    for (const p of g.pending) {
      w.id(p.id);
      w.bytes(p.consumer);
      w.f64(p.deliveryTime);
      w.f64(p.deliveryCount);
    }
  }
  return w.take();
}

export function decodeGroups(bytes: Buffer): Group[] {
  const r = new Reader(bytes);
  const groups: Group[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const name = r.bytes();
    const lastId = r.id();
    const entriesRead = r.f64();
    const consumers: Consumer[] = [];
    for (let k = r.u32(); k > 0; k--) consumers.push({ name: r.bytes(), seenTime: r.f64() });
    const pending: PendingEntry[] = [];
    for (let k = r.u32(); k > 0; k--) {
      pending.push({ id: r.id(), consumer: r.bytes(), deliveryTime: r.f64(), deliveryCount: r.f64() });
    }
    groups.push({ name, lastId, entriesRead, consumers, pending });
  }
  return groups;
}
