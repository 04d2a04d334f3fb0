// An RDB file's framing (rdb.c rdbSaveRio / rdbLoadRio): "REDIS0010", the aux fields Redis 7.0 writes, the
// function libraries (RDB_OPCODE_FUNCTION2 and its code, each), then per
// non-empty database SELECTDB, RESIZEDB and its keys (each with EXPIRETIME_MS when it has a TTL), EOF and the
// CRC-64 of everything before it (zeros when rdbchecksum is off, which loaders accept). Encoding is a generator
// of chunks so a caller can write and yield between them; decoding takes the whole file and hands each key
// to a sink. Knows values only through value-codec.ts; nothing of the store or the file system.

import { debugDelay } from '../debug-delay.js';
import { Crc64 } from './crc64.js';
import {
  OPCODE_AUX,
  OPCODE_EOF,
  OPCODE_EXPIRETIME,
  OPCODE_EXPIRETIME_MS,
  OPCODE_FREQ,
  OPCODE_FUNCTION,
  OPCODE_FUNCTION2,
  OPCODE_IDLE,
  OPCODE_RESIZEDB,
  OPCODE_SELECTDB,
  RDB_VERSION,
  RdbFormatError,
  type RdbValue,
} from './format.js';
import { RdbReader } from './reader.js';
import { readFunctionCode, writeFunctions } from '../functions/functions-payload.js';
import { rdbTypeOf, readValue, writeValueBody } from './value-codec.js';
import { RdbWriter } from './writer.js';

/** One key to save: its value and absolute expiry in ms (0: none). */
export interface RdbEntry {
  readonly key: Buffer;
  readonly value: RdbValue;
  readonly expireAt: number;
}

/** One database's keys, with the counts RESIZEDB announces (hints: a loader must not trust them). */
export interface RdbDatabase {
  readonly db: number;
  readonly keys: number;
  readonly expires: number;
  readonly entries: Iterable<RdbEntry>;
}

export interface RdbSaveOptions {
  readonly compress: boolean;
  readonly checksum: boolean;
  /** Unix time in seconds for the ctime aux field. */
  readonly ctime: number;
  /** used-mem aux field. */
  readonly usedMemory: number;
  /** The append-only file's base (Redis's aof-base aux field 1: RDBFLAGS_AOF_PREAMBLE). */
  readonly aofBase?: boolean;
  /** The function libraries' codes (rdbSaveFunctions: after the aux fields, before the databases). */
  readonly functions?: readonly Buffer[];
}

/** The chunk size the generator yields at (a caller writes each and may let other work run in between). */
const CHUNK_BYTES = 256 * 1024;

const noDelay = (): number => 0;

/**
 * The file's bytes, chunk by chunk; the last chunk ends with EOF and the checksum. `keySaveDelay`: the sleep after
 * each key (rdb-key-save-delay, debug-delay.ts), read at every key so a CONFIG SET reaches a save under way.
 */
export function* encodeRdb(
  databases: Iterable<RdbDatabase>,
  options: RdbSaveOptions,
  keySaveDelay: () => number = noDelay,
): Generator<Buffer> {
  const w = new RdbWriter(options.compress);
  const crc = new Crc64();
  const drain = (): Buffer => {
    const chunk = w.take();
    if (options.checksum) crc.update(chunk);
    return chunk;
  };
  w.bytes(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'));
  const aux = (name: string, value: string): void => {
    w.byte(OPCODE_AUX);
    w.string(Buffer.from(name, 'latin1'));
    w.string(Buffer.from(value, 'latin1'));
  };
  aux('redis-ver', '7.0.0');
  aux('redis-bits', '64');
  aux('ctime', String(options.ctime));
  aux('used-mem', String(options.usedMemory));
  aux('aof-base', options.aofBase === true ? '1' : '0');
  writeFunctions(w, options.functions ?? []);
  for (const database of databases) {
    if (database.keys === 0) continue;
    w.byte(OPCODE_SELECTDB);
    w.len(database.db);
    w.byte(OPCODE_RESIZEDB);
    w.len(database.keys);
    w.len(database.expires);
    for (const entry of database.entries) {
      if (entry.expireAt !== 0) {
        w.byte(OPCODE_EXPIRETIME_MS);
        w.millis(entry.expireAt);
      }
      writeValueWithKey(w, entry.key, entry.value);
      const delay = keySaveDelay();
      if (delay !== 0) {
        debugDelay(delay);
        yield drain(); // a key per chunk while delayed: a save in steps lets clients in between keys
      } else if (w.size >= CHUNK_BYTES) yield drain();
    }
  }
  w.byte(OPCODE_EOF);
  const tail = drain();
  yield Buffer.concat([tail, options.checksum ? crc.bytes() : Buffer.alloc(8)]);
}

/** rdbSaveKeyValuePair's order: type byte, key, value. */
function writeValueWithKey(w: RdbWriter, key: Buffer, value: RdbValue): void {
  const type = rdbTypeOf(value);
  w.byte(type);
  w.string(key);
  writeValueBody(w, type, value);
}

/** What a load found besides keys. */
export interface RdbLoadInfo {
  readonly version: number;
  readonly aux: Map<string, string>;
  readonly keys: number;
  /** Where the file's RDB ends (after its checksum): an append-only file's commands follow its RDB preamble. */
  readonly end: number;
}

export interface RdbLoadOptions {
  /** Verify the CRC-64 when the file carries one (rdbchecksum yes). */
  readonly checksum: boolean;
  /** Given each function library's code in file order; absent: libraries are skipped. */
  readonly functions?: (code: Buffer) => void;
}

/** Parses a whole file, calling `sink` per key in file order. Throws RdbFormatError on a damaged file. */
export function decodeRdb(
  file: Buffer,
  sink: (db: number, entry: RdbEntry) => void,
  options: RdbLoadOptions,
): RdbLoadInfo {
  const steps = decodeRdbInSteps(file, sink, options, Infinity);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * The same, pausing after every `stepBytes` of the file read (yielding how far it is): a server that loads at
 * start-up while it already accepts clients answers them between steps (rdb.c's loading_process_events_interval_bytes).
 */
export function* decodeRdbInSteps(
  file: Buffer,
  sink: (db: number, entry: RdbEntry) => void,
  options: RdbLoadOptions,
  stepBytes: number,
): Generator<number, RdbLoadInfo> {
  if (file.length < 9 || file.subarray(0, 5).toString('latin1') !== 'REDIS') {
    throw new RdbFormatError('Wrong signature trying to load DB from file');
  }
  const version = Number(file.subarray(5, 9).toString('latin1'));
  if (!Number.isInteger(version) || version < 1 || version > RDB_VERSION) {
    throw new RdbFormatError(`Can't handle RDB format version ${file.subarray(5, 9).toString('latin1')}`);
  }
  const r = new RdbReader(file, 9);
  const aux = new Map<string, string>();
  let db = 0;
  let expireAt = 0;
  let keys = 0;
  let nextStep = stepBytes;
  for (;;) {
    if (r.offset >= nextStep) {
      yield r.offset;
      nextStep = r.offset + stepBytes;
    }
    const type = r.byte();
    switch (type) {
      case OPCODE_EXPIRETIME_MS:
        expireAt = r.millis();
        continue;
      case OPCODE_EXPIRETIME:
        expireAt = r.seconds();
        continue;
      case OPCODE_FREQ:
        r.byte();
        continue;
      case OPCODE_IDLE:
        r.len();
        continue;
      case OPCODE_SELECTDB:
        db = r.len();
        continue;
      case OPCODE_RESIZEDB:
        r.len();
        r.len();
        continue;
      case OPCODE_AUX: {
        const name = r.string().toString('latin1');
        aux.set(name, r.string().toString('latin1'));
        continue;
      }
      case OPCODE_FUNCTION:
      case OPCODE_FUNCTION2: {
        const code = readFunctionCode(r, type);
        options.functions?.(code);
        continue;
      }
      case OPCODE_EOF: {
        if (version >= 5) checkChecksum(file, r.offset, options.checksum);
        return { version, aux, keys, end: version >= 5 ? r.offset + 8 : r.offset };
      }
      default: {
        if (type >= 200) throw new RdbFormatError(`Unknown RDB opcode ${type}`);
        const key = r.string();
        const value = readValue(r, type);
        sink(db, { key, value, expireAt });
        keys++;
        expireAt = 0;
      }
    }
  }
}

function checkChecksum(file: Buffer, end: number, verify: boolean): void {
  if (file.length < end + 8) throw new RdbFormatError('Unexpected EOF reading RDB file');
  const stored = file.subarray(end, end + 8);
  if (!verify || stored.every((b) => b === 0)) return; // written with rdbchecksum no
  const computed = new Crc64().update(file.subarray(0, end)).bytes();
  if (!computed.equals(stored)) throw new RdbFormatError('Wrong RDB checksum');
}
