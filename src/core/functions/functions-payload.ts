// Function libraries in RDB form (rdb.c rdbSaveFunctions, rdbFunctionLoad; functions.c functionDumpCommand,
// functionRestoreCommand): each library is RDB_OPCODE_FUNCTION2 then its code as an RDB string; FUNCTION DUMP's
// payload is those, the 2-byte RDB version and the CRC-64 of everything before it. Also reads the older
// RDB_OPCODE_FUNCTION form of Redis 7.0's release candidates. Knows nothing of Lua or commands.

import { crc64 } from '../rdb/crc64.js';
import { OPCODE_FUNCTION, OPCODE_FUNCTION2, RDB_VERSION, RdbFormatError } from '../rdb/format.js';
import { RdbReader } from '../rdb/reader.js';
import { RdbWriter } from '../rdb/writer.js';

/** Writes each library as the RDB file carries it. */
export function writeFunctions(w: RdbWriter, codes: readonly Buffer[]): void {
  for (const code of codes) {
    w.byte(OPCODE_FUNCTION2);
    w.string(code);
  }
}

/**
 * A library's code after its opcode (RDB_OPCODE_FUNCTION2, or RDB_OPCODE_FUNCTION's name, engine, optional
 * description and body, made into the same code as Redis makes it). Throws RdbFormatError with Redis's message.
 */
export function readFunctionCode(r: RdbReader, type: number): Buffer {
  const read = (what: string): Buffer => {
    try {
      return r.string();
    } catch (e) {
      if (e instanceof RdbFormatError) throw new RdbFormatError(`Failed loading library ${what}`);
      throw e;
    }
  };
  if (type === OPCODE_FUNCTION2) return Buffer.from(read('payload'));
  const name = read('name');
  const engine = read('engine name');
  let hasDescription: number;
  try {
    hasDescription = r.len();
  } catch {
    throw new RdbFormatError('Failed loading library description indicator');
  }
  if (hasDescription !== 0) read('description');
  const blob = read('blob');
  return Buffer.concat([
    Buffer.from(`#!${engine.toString('latin1')} name=${name.toString('latin1')}\n`, 'latin1'),
    blob,
  ]);
}

/** FUNCTION DUMP's payload. */
export function dumpFunctions(codes: readonly Buffer[], compress: boolean): Buffer {
  const w = new RdbWriter(compress);
  writeFunctions(w, codes);
  w.byte(RDB_VERSION & 0xff);
  w.byte((RDB_VERSION >> 8) & 0xff);
  const body = w.take();
  return Buffer.concat([body, crc64(body).bytes()]);
}

/**
 * The libraries' codes in a verified FUNCTION RESTORE payload (read up to its 10-byte footer, as Redis reads
 * it), or the error Redis replies (without ERR).
 */
export function readFunctionsDump(payload: Buffer): Buffer[] | { readonly error: string } {
  const r = new RdbReader(payload, 0, payload.length);
  const codes: Buffer[] = [];
  while (payload.length - r.offset > 10) {
    const type = r.byte();
    if (type !== OPCODE_FUNCTION && type !== OPCODE_FUNCTION2)
      return { error: 'given type is not a function' };
    try {
      codes.push(readFunctionCode(r, type));
    } catch (e) {
      if (e instanceof RdbFormatError) return { error: e.message };
      throw e;
    }
  }
  return codes;
}
