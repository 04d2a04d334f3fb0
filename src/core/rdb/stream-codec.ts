// A stream's RDB form, RDB_TYPE_STREAM_LISTPACKS_2 as Redis 7.0 writes it (rdb.c rdbSaveObject / rdbLoadObject):
// the node count, each node's master ID (16 bytes big-endian) and listpack as they are, then the length, the
// last ID, the first ID, the largest deleted ID, entries-added and the consumer groups (each with its pending
// entries, then its consumers and the IDs each owns). The store keeps its nodes as Redis's listpack bytes, so
// they are written and read without re-encoding.

import { MAX_U64, type StreamId } from '../store/stream-id.js';
import type { StreamDump } from '../store/stream.js';
import {
  pendingByConsumer,
  pendingIndex,
  type Consumer,
  type Group,
  type PendingEntry,
} from '../store/stream-groups.js';
import { RdbFormatError } from './format.js';
import type { RdbReader } from './reader.js';
import type { RdbWriter } from './writer.js';

const ID_BYTES = 16;
/** The listpack header, an entry at least and its end byte. */
const MIN_LISTPACK_BYTES = 7;

function idBytes(id: StreamId): Buffer {
  const out = Buffer.alloc(ID_BYTES);
  out.writeBigUInt64BE(id >> 64n, 0);
  out.writeBigUInt64BE(id & MAX_U64, 8);
  return out;
}

function writeId(w: RdbWriter, id: StreamId): void {
  w.lenBig(id >> 64n);
  w.lenBig(id & MAX_U64);
}

function readId(r: RdbReader): StreamId {
  const ms = r.lenBig();
  return (ms << 64n) | r.lenBig();
}

export function writeStream(w: RdbWriter, stream: StreamDump): void {
  w.len(stream.nodes.length);
  for (const node of stream.nodes) {
    w.string(idBytes(node.master));
    w.string(node.listpack);
  }
  w.len(stream.length);
  writeId(w, stream.lastId);
  writeId(w, stream.firstId);
  writeId(w, stream.maxDeletedId);
  w.len(stream.entriesAdded);
  w.len(stream.groups.length);
  for (const group of stream.groups) {
    w.string(group.name);
    writeId(w, group.lastId);
    w.lenBig(BigInt.asUintN(64, BigInt(group.entriesRead))); // -1 (invalid) as the uint64 Redis writes
    w.len(group.pending.length);
    for (const entry of group.pending) {
      w.bytes(idBytes(entry.id));
      w.millis(entry.deliveryTime);
      w.len(entry.deliveryCount);
    }
    w.len(group.consumers.length);
    const owned = pendingByConsumer(group);
    for (const consumer of group.consumers) {
      w.string(consumer.name);
      w.millis(consumer.seenTime);
      const own = owned.get(consumer.name.toString('latin1'))!;
      w.len(own.length);
      for (const entry of own) w.bytes(idBytes(entry.id));
    }
  }
}

export function readStream(r: RdbReader): StreamDump {
  const count = r.len();
  const nodes: { master: StreamId; listpack: Buffer }[] = [];
  let previous = -1n;
  for (let i = 0; i < count; i++) {
    const key = r.string();
    if (key.length !== ID_BYTES)
      throw new RdbFormatError('Stream node key entry is not the size of a stream ID');
    const master = (key.readBigUInt64BE(0) << 64n) | key.readBigUInt64BE(8);
    const listpack = Buffer.from(r.string());
    if (listpack.length < MIN_LISTPACK_BYTES || listpack.readUInt32LE(0) !== listpack.length) {
      throw new RdbFormatError('Stream listpack integrity check failed.');
    }
    if (master <= previous) throw new RdbFormatError('Listpack re-added with existing key');
    previous = master;
    nodes.push({ master, listpack });
  }
  const length = r.len();
  const lastId = readId(r);
  const firstId = readId(r);
  const maxDeletedId = readId(r);
  const entriesAdded = r.len();
  const groups: Group[] = [];
  for (let g = r.len(); g > 0; g--) groups.push(readGroup(r));
  groups.sort((a, b) => Buffer.compare(a.name, b.name));
  return { nodes, length, lastId, firstId, maxDeletedId, entriesAdded, groups };
}

/** One consumer group: its PEL, then its consumers each naming the PEL entries it owns. */
function readGroup(r: RdbReader): Group {
  const name = Buffer.from(r.string());
  const lastId = readId(r);
  const entriesRead = Number(BigInt.asIntN(64, r.lenBig()));
  const pending: PendingEntry[] = [];
  for (let n = r.len(); n > 0; n--) {
    const id = rawId(r);
    pending.push({ id, consumer: Buffer.alloc(0), deliveryTime: r.millis(), deliveryCount: r.len() });
  }
  pending.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const owned = new Set<PendingEntry>();
  const consumers: Consumer[] = [];
  for (let n = r.len(); n > 0; n--) {
    const consumer = { name: Buffer.from(r.string()), seenTime: r.millis() };
    for (let k = r.len(); k > 0; k--) {
      const at = pendingIndex(pending, rawId(r));
      if (at < 0 || owned.has(pending[at]))
        throw new RdbFormatError('Consumer PEL entry without a group PEL entry');
      pending[at].consumer = consumer.name;
      owned.add(pending[at]);
    }
    consumers.push(consumer);
  }
  if (owned.size !== pending.length) throw new RdbFormatError('Group PEL entry without a consumer');
  consumers.sort((a, b) => Buffer.compare(a.name, b.name));
  return { name, lastId, entriesRead, consumers, pending };
}

function rawId(r: RdbReader): StreamId {
  const bytes = r.bytes(ID_BYTES);
  return (bytes.readBigUInt64BE(0) << 64n) | bytes.readBigUInt64BE(8);
}
