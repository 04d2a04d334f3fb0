// A rewrite's base as commands, for aof-use-rdb-preamble no: Redis 7.0's rewriteAppendOnlyFileRio, byte for byte
// in its choice of commands. A `#TS:` annotation first when aof-timestamp-enabled is on (always written there: the
// base is a file of its own); a FUNCTION LOAD per function library; per database with keys a SELECT; per key the command that rebuilds it (SET; RPUSH,
// SADD, ZADD, HMSET; XADD and XSETID for a stream; with at most AOF_REWRITE_ITEMS_PER_CMD items each, so no command is too large to replay) and
// a PEXPIREAT for a key with a TTL. Scores as Redis's rioWriteBulkDouble prints them ("%.17g"). Pure: the values
// in, chunks of bytes out; the file is the caller's.

import { deadlineInt64 } from '../deadline-int64.js';
import { formatDouble } from '../format-double.js';
import type { RdbDatabase, RdbEntry } from '../rdb/file.js';
import { pendingByConsumer } from '../store/stream-groups.js';
import { idBuffer } from '../store/stream-id.js';
import { liveEntries } from '../store/stream-node.js';
import type { StreamDump } from '../store/stream.js';
import { stampBytes } from './append-buffer.js';
import { commandLength, writeCommand } from './resp-command.js';

/** server.h AOF_REWRITE_ITEMS_PER_CMD: elements (or pairs) one RPUSH, SADD, ZADD or HMSET carries at most. */
export const AOF_REWRITE_ITEMS_PER_CMD = 64;

/** The chunk size the generator yields at, as the RDB encoder's. */
const CHUNK_BYTES = 256 * 1024;

type Argv = Uint8Array[];

const word = (text: string): Buffer => Buffer.from(text, 'latin1');
const SELECT = word('SELECT');
const SET = word('SET');
const RPUSH = word('RPUSH');
const SADD = word('SADD');
const ZADD = word('ZADD');
const HMSET = word('HMSET');
const PEXPIREAT = word('PEXPIREAT');
const XADD = word('XADD');
const FUNCTION = word('FUNCTION');
const LOAD = word('LOAD');

/** `stampSecond`: the annotation's unix second (null: aof-timestamp-enabled off). */
export function* encodeAofCommands(
  databases: Iterable<RdbDatabase>,
  stampSecond: number | null,
  functions: readonly Buffer[] = [],
): Generator<Buffer> {
  const pending: Buffer[] = [];
  let size = 0;
  const put = (bytes: Buffer): void => {
    pending.push(bytes);
    size += bytes.length;
  };
  const command = (argv: Argv): void => {
    const out = Buffer.allocUnsafe(commandLength(argv));
    writeCommand(out, 0, argv);
    put(out);
  };
  const drain = (): Buffer => {
    const chunk = Buffer.concat(pending, size);
    pending.length = 0;
    size = 0;
    return chunk;
  };
  if (stampSecond !== null) put(stampBytes(stampSecond));
  for (const code of functions) command([FUNCTION, LOAD, code]); // rewriteFunctions
  for (const database of databases) {
    if (database.keys === 0) continue;
    command([SELECT, word(String(database.db))]);
    for (const entry of database.entries) {
      for (const argv of commandsOf(entry)) command(argv);
      if (entry.expireAt !== 0) command([PEXPIREAT, entry.key, word(String(deadlineInt64(entry.expireAt)))]);
      if (size >= CHUNK_BYTES) yield drain();
    }
  }
  if (size > 0) yield drain();
}

/** rewriteListObject, rewriteSetObject, rewriteSortedSetObject, rewriteHashObject (and SET for a string). */
function commandsOf(entry: RdbEntry): Argv[] {
  const { key, value } = entry;
  switch (value.type) {
    case 'string':
      return [[SET, key, value.value]];
    case 'list':
      return batched(RPUSH, key, value.elements, (e) => [e]);
    case 'set':
      return batched(SADD, key, value.members, (m) => [m]);
    case 'zset':
      return batched(ZADD, key, value.entries, (e) => [word(formatDouble(e.score)), e.member]);
    case 'stream':
      return streamCommands(key, value.stream);
    case 'hash': {
      const pairs: [Buffer, Buffer][] = [];
      for (let i = 0; i < value.pairs.length; i += 2) pairs.push([value.pairs[i], value.pairs[i + 1]]);
      return batched(HMSET, key, pairs, (pair) => pair);
    }
  }
}

/**
 * rewriteStreamObject: an XADD per entry (an empty stream: XADD MAXLEN 0 of one entry, which leaves it empty),
 * then XSETID with the last ID, entries-added and the largest deleted ID, which XADD alone cannot restore, then
 * the consumer groups.
 */
function streamCommands(key: Buffer, stream: StreamDump): Argv[] {
  const out: Argv[] = [];
  for (const node of stream.nodes) {
    for (const entry of liveEntries(node.listpack, node.master)) {
      out.push([XADD, key, idBuffer(entry.id), ...entry.fields]);
    }
  }
  if (stream.length === 0)
    out.push([XADD, key, word('MAXLEN'), word('0'), word('0-1'), word('x'), word('y')]);
  out.push([
    word('XSETID'),
    key,
    idBuffer(stream.lastId),
    word('ENTRIESADDED'),
    word(String(stream.entriesAdded)),
    word('MAXDELETEDID'),
    idBuffer(stream.maxDeletedId),
  ]);
  // Each group by XGROUP CREATE, then per consumer its pending entries by XCLAIM ... FORCE (the delivery time
  // and count as they were), or XGROUP CREATECONSUMER for one with none.
  for (const group of stream.groups) {
    const entriesRead = word(String(group.entriesRead));
    out.push([
      word('XGROUP'),
      word('CREATE'),
      key,
      group.name,
      idBuffer(group.lastId),
      word('ENTRIESREAD'),
      entriesRead,
    ]);
    const owned = pendingByConsumer(group);
    for (const consumer of group.consumers) {
      const own = owned.get(consumer.name.toString('latin1'))!;
      if (own.length === 0)
        out.push([word('XGROUP'), word('CREATECONSUMER'), key, group.name, consumer.name]);
      for (const p of own) {
        out.push([
          word('XCLAIM'),
          key,
          group.name,
          consumer.name,
          word('0'),
          idBuffer(p.id),
          word('TIME'),
          word(String(p.deliveryTime)),
          word('RETRYCOUNT'),
          word(String(p.deliveryCount)),
          word('JUSTID'),
          word('FORCE'),
        ]);
      }
    }
  }
  return out;
}

/** `name key item...` commands of at most AOF_REWRITE_ITEMS_PER_CMD items each, in the items' order. */
function batched<T>(name: Buffer, key: Buffer, items: readonly T[], args: (item: T) => Uint8Array[]): Argv[] {
  const out: Argv[] = [];
  for (let at = 0; at < items.length; at += AOF_REWRITE_ITEMS_PER_CMD) {
    const argv: Argv = [name, key];
    for (const item of items.slice(at, at + AOF_REWRITE_ITEMS_PER_CMD)) argv.push(...args(item));
    out.push(argv);
  }
  return out;
}
