// Reading the append-only file back at start-up, as Redis 7.0's loadAppendOnlyFiles: the manifest in the
// directory (a Redis 6 single file in `dir` adopted as the base first, aof-files.ts), then the base and each
// incremental file in order. Each file must be whole RESP commands, after an RDB for a base written with
// aof-use-rdb-preamble; a last command cut short (the process died mid-write) in the last file is dropped and that
// file truncated to the commands before it when aof-load-truncated is yes, and refuses the start otherwise, as it
// does in any other file; anything else that is not a command (a corrupt middle) refuses the start with Redis's
// message. The commands are then run, by the caller, on a session whose replies nobody reads, with the store's
// clock held at 0 so no key expires while its history replays.

import { existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { RequestParser } from '../parser.js';
import type { AofFiles } from './aof-files.js';
import { filesToLoad, type AofManifest } from './aof-manifest.js';

const FIX_HINT = 'make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>';

export class AofFormatError extends Error {
  constructor(
    readonly file: string,
    /** Where in the file the trouble starts (logged; Redis's message does not say). */
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AofContents {
  /** The whole commands the file holds, in order (a suffix of what its RDB preamble left, a prefix of the file). */
  readonly commands: Buffer;
  /** Bytes of a last command cut short that were dropped (and truncated from the file); 0 if none. */
  readonly truncatedBytes: number;
}

export interface ReadOptions {
  /** aof-load-truncated: a last command cut short is dropped (and the file truncated) rather than refused. */
  readonly loadTruncated: boolean;
  /** This is the last file to load: only there may a command be cut short (the others were closed whole). */
  readonly last?: boolean;
  /** A file starting with an RDB ("REDIS"): loads it and says where it ends. */
  readonly loadPreamble?: (bytes: Buffer) => number;
}

/** One file's commands, or null when there is no file. Throws AofFormatError for a file it cannot load. */
export function readAof(file: string, options: ReadOptions): AofContents | null {
  if (!existsSync(file)) return null;
  const name = path.basename(file);
  const bytes = readFileSync(file);
  const parser = new RequestParser({ inlineMax: 64 * 1024, multibulkMax: 1024 * 1024, bulkMax: 2 ** 31 - 1 });
  const start = isRdbPreamble(bytes) && options.loadPreamble !== undefined ? options.loadPreamble(bytes) : 0;
  let at = start;
  // Where a MULTI whose EXEC has not come yet starts: a transaction the file ends in was cut short.
  let openMulti = -1;
  // Redis's annotations ('#' lines, aof-timestamp-enabled) are skipped: the commands between them, in order.
  const pieces: [number, number][] = [];
  let pieceStart = start;
  while (at < bytes.length) {
    if (bytes[at] === 0x23 /* '#' */) {
      const newline = bytes.indexOf(0x0a, at);
      if (newline < 0) break; // cut short
      pieces.push([pieceStart, at]);
      at = pieceStart = newline + 1;
      continue;
    }
    if (bytes[at] !== 0x2a /* '*' */) throw formatError(file, name, at);
    const result = parser.parse(bytes, at);
    if (result.kind === 'error') throw formatError(file, name, at);
    if (result.kind === 'incomplete') break;
    if (result.kind === 'request') {
      if (isCommand(result.argv[0], 'multi')) openMulti = at;
      else if (isCommand(result.argv[0], 'exec')) openMulti = -1;
    }
    at = result.end;
  }
  const commandsUpTo = (end: number): Buffer => {
    if (pieces.length === 0) return bytes.subarray(start, end);
    const ranges = [...pieces, [pieceStart, end] as [number, number]];
    return Buffer.concat(ranges.map(([from, to]) => bytes.subarray(from, Math.min(to, end))));
  };
  if (at === bytes.length && openMulti < 0) return { commands: commandsUpTo(at), truncatedBytes: 0 };
  // loadSingleAppendOnlyFile: a file that ends inside MULTI/EXEC loses the whole transaction (valid_before_multi).
  if (openMulti >= 0) at = openMulti;
  if (options.last === false) {
    throw new AofFormatError(file, at, 'Fatal error: the truncated file is not the last file');
  }
  if (!options.loadTruncated) {
    throw new AofFormatError(
      file,
      at,
      `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF ` +
        `file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the ` +
        `'aof-load-truncated' configuration option to yes and restart the server.`,
    );
  }
  truncateSync(file, at);
  return { commands: commandsUpTo(at), truncatedBytes: bytes.length - at };
}

function isCommand(name: Buffer | undefined, lower: string): boolean {
  return (
    name !== undefined && name.length === lower.length && name.toString('latin1').toLowerCase() === lower
  );
}

/** What start-up loads: the manifest as it now stands (after an upgrade), and its files in order with their paths. */
export interface AofLoadPlan {
  readonly manifest: AofManifest;
  readonly files: readonly { readonly name: string; readonly path: string; readonly size: number }[];
  /** The files' total size (loading_total_bytes); 0: nothing to load (Redis's AOF_EMPTY or AOF_NOT_EXIST). */
  readonly totalBytes: number;
  /** A single file in `dir` was moved into the directory as its base. */
  readonly upgraded: boolean;
}

/**
 * aofLoadManifestFromDisk and the first part of loadAppendOnlyFiles. Throws AofManifestError for a manifest Redis
 * would refuse, and an Error for a file it lists that is missing (Redis exits then too).
 */
export function planAofLoad(files: AofFiles): AofLoadPlan {
  const { manifest, upgraded } = files.upgradeIfLegacy(files.loadManifest());
  const listed = filesToLoad(manifest).map((f) => {
    const file = files.pathOf(f.name);
    try {
      return { name: f.name, path: file, size: statSync(file).size };
    } catch (error) {
      throw new Error(
        `Unable to obtain the AOF file ${f.name} length. stat: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
  });
  const totalBytes = listed.reduce((sum, file) => sum + file.size, 0);
  return { manifest, files: listed, totalBytes, upgraded };
}

function formatError(file: string, name: string, at: number): AofFormatError {
  return new AofFormatError(file, at, `Bad file format reading the append only file ${name}: ${FIX_HINT}`);
}

function isRdbPreamble(bytes: Buffer): boolean {
  return bytes.length >= 5 && bytes.subarray(0, 5).toString('latin1') === 'REDIS';
}
