// The multi-part append-only file's manifest, as Redis 7.0 writes it (aof.c): one line per file,
// `file <name> seq <n> type <b|h|i>`, the base first, then the history files (to be deleted), then the incremental
// files in the order they replay. A manifest value is never changed in place: each step returns a new one, so the
// caller swaps it in only once the file on disk says the same (Redis's aofManifestDup, then FreeAndUpdate).
// Pure: text in, text out; which directory the files are in is aof-files.ts's.

import { splitArgs } from '../parser.js';
import { repr } from '../monitor.js';

export type AofFileType = 'b' | 'h' | 'i';

export interface AofInfo {
  readonly name: string;
  readonly seq: number;
  readonly type: AofFileType;
}

export interface AofManifest {
  readonly base: AofInfo | null;
  readonly history: readonly AofInfo[];
  readonly incr: readonly AofInfo[];
  /** The last sequence numbers given to a base and to an incremental file. */
  readonly baseSeq: number;
  readonly incrSeq: number;
}

export const EMPTY_MANIFEST: AofManifest = { base: null, history: [], incr: [], baseSeq: 0, incrSeq: 0 };

/** A manifest Redis refuses to start with (aofLoadManifestFromFile's messages); `line` is 0 for the whole file. */
export class AofManifestError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly text: string,
  ) {
    super(message);
  }
}

/** Longest line aofLoadManifestFromFile reads (MANIFEST_MAX_LINE). */
const MAX_LINE = 1024;

/** aofLoadManifestFromFile: comments (#) skipped, keys in any case, unknown keys kept for later versions. */
export function parseManifest(text: Buffer): AofManifest {
  let base: AofInfo | null = null;
  const history: AofInfo[] = [];
  const incr: AofInfo[] = [];
  let baseSeq = 0;
  let incrSeq = 0;
  let lineNumber = 0;
  let at = 0;
  if (text.length === 0) throw new AofManifestError('Found an empty AOF manifest', 0, '');
  while (at < text.length) {
    const newline = text.indexOf(0x0a, at);
    const end = newline < 0 ? text.length : newline + 1;
    lineNumber++;
    const raw = text.subarray(at, end);
    at = end;
    if (raw[0] === 0x23 /* # */) continue;
    const line = raw.toString('latin1').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (newline < 0 || raw.length > MAX_LINE + 1) {
      throw new AofManifestError('The AOF manifest file contains too long line', lineNumber, line);
    }
    const fail = (message: string): never => {
      throw new AofManifestError(message, lineNumber, line);
    };
    if (line.length === 0) fail('Invalid AOF manifest file format');
    const argv = splitArgs(Buffer.from(line, 'latin1'), 0, line.length);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) fail('Invalid AOF manifest file format');
    let name = '';
    let seq = 0;
    let type = '';
    const words = argv as Buffer[];
    for (let i = 0; i < words.length; i += 2) {
      const key = words[i].toString('latin1').toLowerCase();
      const value = words[i + 1].toString('latin1');
      if (key === 'file') {
        name = value;
        if (name.includes('/')) fail("File can't be a path, just a filename");
      } else if (key === 'seq') {
        seq = atoll(value);
      } else if (key === 'type') {
        type = value.charAt(0);
      }
    }
    if (name === '' || seq === 0 || type === '') fail('Invalid AOF manifest file format');
    if (type === 'b') {
      if (base !== null) fail('Found duplicate base file information');
      base = { name, seq, type };
      baseSeq = seq;
    } else if (type === 'h') {
      history.push({ name, seq, type });
    } else if (type === 'i') {
      if (seq <= incrSeq) fail('Found a non-monotonic sequence number');
      incr.push({ name, seq, type });
      incrSeq = seq;
    } else {
      fail('Unknown AOF file type');
    }
  }
  return { base, history, incr, baseSeq, incrSeq };
}

/** getAofManifestAsString: base, history, incremental; a name that needs it written as sdscatrepr does. */
export function formatManifest(manifest: AofManifest): string {
  const files = [...(manifest.base === null ? [] : [manifest.base]), ...manifest.history, ...manifest.incr];
  return files
    .map(
      (f) =>
        `file ${needsRepr(f.name) ? repr(Buffer.from(f.name, 'latin1')) : f.name} seq ${f.seq} type ${f.type}\n`,
    )
    .join('');
}

/** getNewBaseFileNameAndMarkPreAsHistory: `<appendfilename>.<seq>.base.<rdb|aof>`, the old base history. */
export function withNewBase(manifest: AofManifest, appendfilename: string, rdb: boolean): AofManifest {
  const baseSeq = manifest.baseSeq + 1;
  const base: AofInfo = {
    name: `${appendfilename}.${baseSeq}.base.${rdb ? 'rdb' : 'aof'}`,
    seq: baseSeq,
    type: 'b',
  };
  const history =
    manifest.base === null
      ? manifest.history
      : [{ ...manifest.base, type: 'h' as const }, ...manifest.history];
  return { ...manifest, base, history, baseSeq };
}

/** getNewIncrAofName: `<appendfilename>.<seq>.incr.aof` added last. */
export function withNewIncr(manifest: AofManifest, appendfilename: string): AofManifest {
  const incrSeq = manifest.incrSeq + 1;
  const incr: AofInfo = { name: incrName(appendfilename, incrSeq), seq: incrSeq, type: 'i' };
  return { ...manifest, incr: [...manifest.incr, incr], incrSeq };
}

export function incrName(appendfilename: string, seq: number): string {
  return `${appendfilename}.${seq}.incr.aof`;
}

/**
 * markRewrittenIncrAofAsHistory: the incremental files a rewrite's base covers become history; `keepLast`: the
 * last one is being written to (appendonly on), and holds what came after the rewrite's snapshot.
 */
export function withRewrittenIncrAsHistory(manifest: AofManifest, keepLast: boolean): AofManifest {
  const kept = keepLast ? manifest.incr.slice(-1) : [];
  const rewritten = manifest.incr.slice(0, manifest.incr.length - kept.length);
  // Redis puts them at the head of the history list, oldest first.
  const history = [...rewritten.map((f) => ({ ...f, type: 'h' as const })), ...manifest.history];
  return { ...manifest, incr: kept, history };
}

export function withoutHistory(manifest: AofManifest): AofManifest {
  return { ...manifest, history: [] };
}

/** The base and the incremental files, in the order they load. */
export function filesToLoad(manifest: AofManifest): AofInfo[] {
  return [...(manifest.base === null ? [] : [manifest.base]), ...manifest.incr];
}

/** C's atoll: leading digits (after an optional sign), 0 when there are none. */
function atoll(text: string): number {
  const match = /^\s*([+-]?\d+)/.exec(text);
  return match === null ? 0 : Number(match[1]);
}

/** sds.c sdsneedsrepr. */
function needsRepr(name: string): boolean {
  return /[\\"\s\x00-\x1f\x7f-\xff]/.test(name);
}
