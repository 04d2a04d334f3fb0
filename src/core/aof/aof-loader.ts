// Reading the append-only file back at start-up, as Redis's loadAppendOnlyFile: the file must be whole RESP
// commands; a last command cut short (the process died mid-write) is dropped and the file truncated to the commands
// before it when aof-load-truncated is yes, and refuses the start otherwise; anything else that is not a command
// (a corrupt middle) refuses the start with where it is. The commands are then run, by the caller, on a session
// whose replies nobody reads, with the store's clock held at 0 so no key expires while its history replays.

import { existsSync, readFileSync, truncateSync } from 'node:fs';
import { RequestParser } from '../parser.js';

export class AofFormatError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`Bad file format reading the append only file ${file} at byte ${offset}: ${reason}`);
  }
}

export interface AofContents {
  /** The whole commands the file holds, in order (a prefix of the file). */
  readonly commands: Buffer;
  /** Bytes of a last command cut short that were dropped (and truncated from the file); 0 if none. */
  readonly truncatedBytes: number;
}

/**
 * The file's commands, or null when there is no file yet. Throws AofFormatError for a file it cannot load. A file
 * BGREWRITEAOF wrote starts with an RDB ("REDIS"): `loadPreamble` loads it and says where it ends.
 */
export function readAof(
  file: string,
  loadTruncated: boolean,
  loadPreamble?: (bytes: Buffer) => number,
): AofContents | null {
  if (!existsSync(file)) return null;
  const bytes = readFileSync(file);
  const parser = new RequestParser({ inlineMax: 64 * 1024, multibulkMax: 1024 * 1024, bulkMax: 2 ** 31 - 1 });
  const start = isRdbPreamble(bytes) && loadPreamble !== undefined ? loadPreamble(bytes) : 0;
  let at = start;
  while (at < bytes.length) {
    if (bytes[at] !== 0x2a /* '*' */) throw new AofFormatError(file, at, 'expected a RESP command (*)');
    const result = parser.parse(bytes, at);
    if (result.kind === 'error') throw new AofFormatError(file, at, result.message);
    if (result.kind === 'incomplete') break;
    at = result.end;
  }
  if (at === bytes.length) return { commands: bytes.subarray(start), truncatedBytes: 0 };
  if (!loadTruncated) {
    throw new AofFormatError(file, at, 'the last command is cut short (aof-load-truncated is no)');
  }
  truncateSync(file, at);
  return { commands: bytes.subarray(start, at), truncatedBytes: bytes.length - at };
}

function isRdbPreamble(bytes: Buffer): boolean {
  return bytes.length >= 5 && bytes.subarray(0, 5).toString('latin1') === 'REDIS';
}
