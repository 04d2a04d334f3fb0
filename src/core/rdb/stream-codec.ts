// A stream's RDB form, RDB_TYPE_STREAM_LISTPACKS_2 as Redis 7.0 writes it (rdb.c rdbSaveObject / rdbLoadObject):
// the node count, each node's master ID (16 bytes big-endian) and listpack as they are, then the length, the
// last ID, the first ID, the largest deleted ID, entries-added and the consumer groups. The store keeps its
// nodes as Redis's listpack bytes, so they are written and read without re-encoding. Consumer groups are not
// kept yet: a stream with groups is refused on load rather than loaded without them.

import { MAX_U64, type StreamId } from '../store/stream-id.js';
import type { StreamDump } from '../store/stream.js';
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
  w.len(0); // consumer groups
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
  if (r.len() !== 0) throw new RdbFormatError('Stream consumer groups are not supported yet');
  return { nodes, length, lastId, firstId, maxDeletedId, entriesAdded };
}
