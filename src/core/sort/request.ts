// SORT and SORT_RO's arguments (Redis 7.0's sort.c sortCommandGeneric, its parse loop) and where their keys are
// (db.c sortGetKeys): pure, argv in. Options are read left to right, a later one overriding an earlier one, and
// the first bad one decides the error. What the sort then reads it cannot name here: BY and GET patterns with a
// `*` name keys built from the sorted elements, so such a line locks every segment (readsUnnamedKeys).

import { isKeyword, parseInt64 } from '../args.js';
import { CommandError, ERR } from '../errors.js';

export interface SortRequest {
  readonly desc: boolean;
  readonly alpha: boolean;
  /** The last BY pattern, or null. */
  readonly by: Buffer | null;
  /** A BY pattern without `*` was given (sticky, as Redis's dontsort): no sort, no weights looked up. */
  readonly dontsort: boolean;
  /** LIMIT's offset and count as given (count -1: to the end). */
  readonly limitStart: number;
  readonly limitCount: number;
  /** The GET patterns, in order. */
  readonly gets: readonly Buffer[];
  /** STORE's destination (the last given), or null. */
  readonly store: Buffer | null;
}

const STAR = 0x2a;

/** strchr on an sds: C stops at the first NUL, so a `*` past one is not seen. */
export function cHasStar(pattern: Uint8Array): boolean {
  for (const c of pattern) {
    if (c === 0) return false;
    if (c === STAR) return true;
  }
  return false;
}

/** getLongFromObjectOrReply: a 64-bit integer, as a number (clamped past 2^53: only its order matters). */
function limitNumber(arg: Buffer): number {
  const value = parseInt64(arg);
  if (value === null) throw new CommandError(ERR.notInteger);
  return Number(value);
}

/** Parses SORT (readonly false) or SORT_RO key [options...]; throws Redis's error for a bad option. */
export function parseSortRequest(argv: readonly Buffer[], readonly: boolean): SortRequest {
  let desc = false;
  let alpha = false;
  let by: Buffer | null = null;
  let dontsort = false;
  let limitStart = 0;
  let limitCount = -1;
  const gets: Buffer[] = [];
  let store: Buffer | null = null;
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const word = argv[j];
    if (isKeyword(word, 'ASC')) desc = false;
    else if (isKeyword(word, 'DESC')) desc = true;
    else if (isKeyword(word, 'ALPHA')) alpha = true;
    else if (isKeyword(word, 'LIMIT') && left >= 2) {
      limitStart = limitNumber(argv[j + 1]);
      limitCount = limitNumber(argv[j + 2]);
      j += 2;
    } else if (!readonly && isKeyword(word, 'STORE') && left >= 1) {
      store = argv[++j];
    } else if (isKeyword(word, 'BY') && left >= 1) {
      by = argv[++j];
      if (!cHasStar(by)) dontsort = true;
    } else if (isKeyword(word, 'GET') && left >= 1) {
      gets.push(argv[++j]);
    } else {
      throw new CommandError(ERR.syntax);
    }
  }
  return { desc, alpha, by, dontsort, limitStart, limitCount, gets, store };
}

/**
 * sortGetKeys: the sorted key (position 1, key spec 0) and the last STORE's destination (key spec 2). LIMIT,
 * GET and BY skip their arguments; any other word is skipped alone, as Redis's scan does.
 */
export function sortKeyPositions(argv: readonly Uint8Array[]): { position: number; spec: number }[] {
  const keys = [{ position: 1, spec: 0 }];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const word = argv[i];
    if (isKeyword(word, 'LIMIT')) i += 2;
    else if (isKeyword(word, 'GET') || isKeyword(word, 'BY')) i += 1;
    else if (isKeyword(word, 'STORE') && i + 1 < argv.length) store = i + 1;
  }
  if (store !== -1) keys.push({ position: store, spec: 2 });
  return keys;
}

/**
 * Whether the line may read keys named by its elements (a BY or GET pattern with a `*`): its lock then covers
 * every segment, as KEYS's. A loose scan (any BY/GET word followed by such a pattern) errs on the safe side.
 */
export function readsUnnamedKeys(argv: readonly Uint8Array[]): boolean {
  for (let i = 2; i + 1 < argv.length; i++) {
    if ((isKeyword(argv[i], 'BY') || isKeyword(argv[i], 'GET')) && cHasStar(argv[i + 1])) return true;
  }
  return false;
}
