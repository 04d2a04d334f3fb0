// DUMP / RESTORE payloads (cluster.c createDumpPayload, verifyDumpPayload): a value's RDB encoding (type byte
// then body), the 2-byte RDB version and the CRC-64 of everything before the CRC, both little-endian.

import { crc64 } from './crc64.js';
import { RDB_VERSION, type RdbValue } from './format.js';
import { RdbReader } from './reader.js';
import { readValue, writeValue } from './value-codec.js';
import { RdbWriter } from './writer.js';

export function createDumpPayload(value: RdbValue, compress: boolean): Buffer {
  const w = new RdbWriter(compress);
  writeValue(w, value);
  w.byte(RDB_VERSION & 0xff);
  w.byte((RDB_VERSION >> 8) & 0xff);
  const body = w.take();
  return Buffer.concat([body, crc64(body).bytes()]);
}

/** verifyDumpPayload: at least the footer, a version not newer than ours, and (when asked) a matching CRC. */
export function verifyDumpPayload(payload: Buffer, checksum: boolean): boolean {
  if (payload.length < 10) return false;
  const footer = payload.length - 10;
  const version = payload[footer] | (payload[footer + 1] << 8);
  if (version > RDB_VERSION) return false;
  if (!checksum) return true;
  return crc64(payload.subarray(0, payload.length - 8))
    .bytes()
    .equals(payload.subarray(payload.length - 8));
}

/**
 * The value of a verified payload; throws RdbFormatError ("Bad data format") when it does not parse. Read as
 * restoreCommand reads it (rioInitWithBuffer over the whole payload): bytes left before the footer are ignored,
 * and a value whose lengths run past its body reads on into the footer, as redis-server 7.0 does.
 */
export function readDumpPayload(payload: Buffer): RdbValue {
  const r = new RdbReader(payload, 0, payload.length);
  return readValue(r, r.byte());
}
