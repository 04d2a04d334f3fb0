// Redis 7.0's RDB constants (rdb.h): the file version, opcodes, value types and length encodings. Shared by
// the writer and the reader; no logic here.

/** RDB_VERSION of Redis 7.0: files start "REDIS0010", DUMP payloads end with it. */
export const RDB_VERSION = 10;

// Value types (rdb.h RDB_TYPE_*).
export const TYPE_STRING = 0;
export const TYPE_LIST = 1;
export const TYPE_SET = 2;
export const TYPE_ZSET = 3;
export const TYPE_HASH = 4;
export const TYPE_ZSET_2 = 5;
export const TYPE_HASH_ZIPMAP = 9;
export const TYPE_LIST_ZIPLIST = 10;
export const TYPE_SET_INTSET = 11;
export const TYPE_ZSET_ZIPLIST = 12;
export const TYPE_HASH_ZIPLIST = 13;
export const TYPE_LIST_QUICKLIST = 14;
export const TYPE_STREAM_LISTPACKS = 15;
export const TYPE_HASH_LISTPACK = 16;
export const TYPE_ZSET_LISTPACK = 17;
export const TYPE_LIST_QUICKLIST_2 = 18;
export const TYPE_STREAM_LISTPACKS_2 = 19;

// Opcodes (rdb.h RDB_OPCODE_*).
export const OPCODE_FUNCTION2 = 245;
export const OPCODE_FUNCTION = 246;
export const OPCODE_MODULE_AUX = 247;
export const OPCODE_IDLE = 248;
export const OPCODE_FREQ = 249;
export const OPCODE_AUX = 250;
export const OPCODE_RESIZEDB = 251;
export const OPCODE_EXPIRETIME_MS = 252;
export const OPCODE_EXPIRETIME = 253;
export const OPCODE_SELECTDB = 254;
export const OPCODE_EOF = 255;

// Length encodings (rdb.h RDB_6BITLEN ... RDB_ENCVAL) and the special string encodings after RDB_ENCVAL.
export const LEN_6BIT = 0;
export const LEN_14BIT = 1;
export const LEN_32BIT = 0x80;
export const LEN_64BIT = 0x81;
export const ENCVAL = 3;
export const ENC_INT8 = 0;
export const ENC_INT16 = 1;
export const ENC_INT32 = 2;
export const ENC_LZF = 3;

// Quicklist node containers (quicklist.h QUICKLIST_NODE_CONTAINER_*).
export const QUICKLIST_PLAIN = 1;
export const QUICKLIST_PACKED = 2;

/** A value as the RDB carries it, independent of how either side encodes it in memory. */
/**
 * A container's `compact`: whether the key is held in its compact encoding (intset, listpack), as OBJECT ENCODING
 * says, so it is written in the form Redis writes that encoding in (rdbSaveObjectType follows the object's
 * encoding, not the thresholds in force now). Absent, the form follows Redis 7.0's default thresholds. A value read
 * from a file has it true when the file holds a hash or sorted set as a listpack (the loader may keep that form).
 */
import type { StreamDump } from '../store/stream.js';

export type RdbValue =
  | { readonly type: 'string'; readonly value: Buffer }
  /** Its nodes' listpacks as they are, and the stream's figures (stream-codec.ts). */
  | { readonly type: 'stream'; readonly stream: StreamDump }
  /**
   * `nodes`: the element count of each of its quicklist nodes, as the store holds them (absent: split as pushes at
   * the tail would under `fill`, list-max-listpack-size, -2 when absent too).
   */
  | {
      readonly type: 'list';
      readonly elements: Buffer[];
      readonly fill?: number;
      readonly nodes?: readonly number[];
    }
  | { readonly type: 'set'; readonly members: Buffer[]; readonly compact?: boolean }
  | { readonly type: 'hash'; readonly pairs: Buffer[]; readonly compact?: boolean }
  | {
      readonly type: 'zset';
      readonly entries: { member: Buffer; score: number }[];
      readonly compact?: boolean;
    };

/** A load failure: Redis refuses the file (or RESTORE answers "Bad data format"). */
export class RdbFormatError extends Error {
  readonly code = 'ERR_RDB_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'RdbFormatError';
  }
}
