// The arguments of GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and GEOSEARCHSTORE, read as
// Redis 7.0's georadiusGeneric reads them: after the source key's type check, in argument order, a centre
// member looked up as soon as it is read (so "could not decode requested zset member" comes before a later
// argument's error), options compared as C strings (strcasecmp), then the checks of the whole line. With no
// source key a member is not looked up and GEORADIUSBYMEMBER's radius is not read at all, as in Redis.
// Knows no store beyond the view it is given, and no replies.

import { isKeyword, parseInt64 } from '../args.js';
import { parseScore } from '../commands/zset-args.js';
import { CommandError, cString, ERR } from '../errors.js';
import type { ZsetView } from '../store/zset-view.js';
import { decodeScore, GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN } from './geohash.js';
import type { GeoShape } from './geohash-helper.js';
import { percentF } from './geo-text.js';

/** Which command: the georadiusGeneric flags RADIUS_COORDS, RADIUS_MEMBER, RADIUS_NOSTORE, GEOSEARCH(STORE). */
export type SearchKind = 'radius' | 'radiusMember' | 'radiusRo' | 'radiusMemberRo' | 'search' | 'searchStore';

export interface SearchRequest {
  /** Null when the source key is missing (nothing to search: the reply is empty, or the destination goes). */
  readonly shape: GeoShape | null;
  readonly withDist: boolean;
  readonly withHash: boolean;
  readonly withCoord: boolean;
  readonly sort: 'none' | 'asc' | 'desc';
  /** 0: no COUNT. */
  readonly count: number;
  readonly any: boolean;
  /** STORE / STOREDIST's key (GEOSEARCHSTORE's destination), or null. */
  readonly storeKey: Buffer | null;
  readonly storeDist: boolean;
}

/** strcasecmp(arg, word): the argument up to its first NUL, against an upper-case keyword. */
export function isCWord(b: Uint8Array, upper: string): boolean {
  const nul = b.indexOf(0);
  return isKeyword(nul < 0 ? b : b.subarray(0, nul), upper);
}

const INVALID_MEMBER = 'ERR could not decode requested zset member';

/** extractUnitOrReply: metres per unit. */
export function parseUnit(arg: Uint8Array): number {
  if (isCWord(arg, 'M')) return 1;
  if (isCWord(arg, 'KM')) return 1000;
  if (isCWord(arg, 'FT')) return 0.3048;
  if (isCWord(arg, 'MI')) return 1609.34;
  throw new CommandError('ERR unsupported unit provided. please use M, KM, FT, MI');
}

/** extractLongLatOrReply: a longitude and a latitude, each a float, together in Redis's ranges. */
export function parseLongLat(longitude: Uint8Array, latitude: Uint8Array): [number, number] {
  const x = parseScore(longitude);
  const y = parseScore(latitude);
  if (x < GEO_LONG_MIN || x > GEO_LONG_MAX || y < GEO_LAT_MIN || y > GEO_LAT_MAX) {
    throw new CommandError(`ERR invalid longitude,latitude pair ${percentF(x)},${percentF(y)}`);
  }
  return [x, y];
}

/** extractDistanceOrReply: radius then unit. */
function parseRadius(radius: Buffer, unit: Buffer): { radius: number; conversion: number } {
  const distance = parseScore(radius, 'ERR need numeric radius');
  if (distance < 0) throw new CommandError('ERR radius cannot be negative');
  return { radius: distance, conversion: parseUnit(unit) };
}

/** extractBoxOrReply: width, height, unit. */
function parseBox(width: Buffer, height: Buffer, unit: Buffer): { w: number; h: number; conversion: number } {
  const w = parseScore(width, 'ERR need numeric width');
  const h = parseScore(height, 'ERR need numeric height');
  if (h < 0 || w < 0) throw new CommandError('ERR height or width cannot be negative');
  return { w, h, conversion: parseUnit(unit) };
}

/** longLatFromMember: the member's position, or the error Redis gives for a missing member. */
function memberPosition(z: ZsetView, member: Buffer): [number, number] {
  const score = z.score(member);
  const xy = score === undefined ? null : decodeScore(score);
  if (xy === null) throw new CommandError(INVALID_MEMBER);
  return xy;
}

/** Reads the line `argv` of command `kind` against the source `z` (null: missing). */
export function parseSearchRequest(
  argv: readonly Buffer[],
  kind: SearchKind,
  z: ZsetView | null,
): SearchRequest {
  const geosearch = kind === 'search' || kind === 'searchStore';
  const noStore = kind === 'radiusRo' || kind === 'radiusMemberRo';
  let center: [number, number] | null = null;
  let circle: { radius: number; conversion: number } | null = null;
  let box: { w: number; h: number; conversion: number } | null = null;
  let storeKey: Buffer | null = null;
  let base: number;
  if (kind === 'radius' || kind === 'radiusRo') {
    base = 6;
    center = parseLongLat(argv[2], argv[3]);
    circle = parseRadius(argv[4], argv[5]);
  } else if (!geosearch) {
    base = 5;
    if (z !== null) {
      center = memberPosition(z, argv[2]);
      circle = parseRadius(argv[3], argv[4]);
    }
  } else if (kind === 'searchStore') {
    base = 3;
    storeKey = argv[1];
  } else {
    base = 2;
  }

  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  let sort: SearchRequest['sort'] = 'none';
  let any = false;
  let count = 0;
  let storeDist = false;
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[base + i];
    const next = (k: number): Buffer => argv[base + i + k];
    if (isCWord(arg, 'WITHDIST')) withDist = true;
    else if (isCWord(arg, 'WITHHASH')) withHash = true;
    else if (isCWord(arg, 'WITHCOORD')) withCoord = true;
    else if (isCWord(arg, 'ANY')) any = true;
    else if (isCWord(arg, 'ASC')) sort = 'asc';
    else if (isCWord(arg, 'DESC')) sort = 'desc';
    else if (isCWord(arg, 'COUNT') && i + 1 < remaining) {
      const n = parseInt64(next(1));
      if (n === null) throw new CommandError(ERR.notInteger);
      if (n <= 0n) throw new CommandError('ERR COUNT must be > 0');
      // Beyond any set's size a count changes nothing: clamped so it stays a safe number.
      count = n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
      i++;
    } else if (
      (isCWord(arg, 'STORE') || isCWord(arg, 'STOREDIST')) &&
      i + 1 < remaining &&
      !noStore &&
      !geosearch
    ) {
      storeKey = next(1);
      storeDist = isCWord(arg, 'STOREDIST');
      i++;
    } else if (isCWord(arg, 'STOREDIST') && kind === 'searchStore') {
      storeDist = true;
    } else if (isCWord(arg, 'FROMMEMBER') && i + 1 < remaining && geosearch && !fromLonLat) {
      if (z !== null) center = memberPosition(z, next(1));
      fromMember = true;
      i++;
    } else if (isCWord(arg, 'FROMLONLAT') && i + 2 < remaining && geosearch && !fromMember) {
      center = parseLongLat(next(1), next(2));
      fromLonLat = true;
      i += 2;
    } else if (isCWord(arg, 'BYRADIUS') && i + 2 < remaining && geosearch && !byBox) {
      circle = parseRadius(next(1), next(2));
      byRadius = true;
      i += 2;
    } else if (isCWord(arg, 'BYBOX') && i + 3 < remaining && geosearch && !byRadius) {
      box = parseBox(next(1), next(2), next(3));
      byBox = true;
      i += 3;
    } else {
      throw new CommandError(ERR.syntax);
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoord)) {
    const what = kind === 'searchStore' ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    throw new CommandError(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (geosearch && !(fromMember || fromLonLat)) {
    throw new CommandError(
      `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${cString(argv[0])}`,
    );
  }
  if (geosearch && !(byRadius || byBox)) {
    throw new CommandError(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${cString(argv[0])}`);
  }
  if (any && count === 0) throw new CommandError('ERR the ANY argument requires COUNT argument');

  let shape: GeoShape | null = null;
  if (z !== null && center !== null) {
    if (box !== null) {
      shape = { type: 'box', xy: center, conversion: box.conversion, width: box.w, height: box.h };
    } else if (circle !== null) {
      shape = { type: 'circle', xy: center, conversion: circle.conversion, radius: circle.radius };
    }
  }
  // COUNT without an order returns the nearest (ascending), unless ANY takes the first found.
  if (count !== 0 && sort === 'none' && !any) sort = 'asc';
  return { shape, withDist, withHash, withCoord, sort, count, any, storeKey, storeDist };
}

/** The line's STORE destination, read from the arguments alone; null when it has none or is malformed. */
export function storeKeyOf(argv: readonly Buffer[], kind: SearchKind): Buffer | null {
  try {
    return parseSearchRequest(argv, kind, null).storeKey;
  } catch {
    // A malformed line stores nothing; read again against the key, it reports its error in Redis's order.
    return null;
  }
}

/**
 * COMMAND GETKEYS of GEORADIUS and GEORADIUSBYMEMBER, by Redis 7.0's key specs (which it prefers to
 * georadiusGetKeys): the source (spec 0); the argument after the first STORE (spec 1) and after the first
 * STOREDIST (spec 2), each searched for from argument `from` (6 or 5) up to, not including, the last.
 */
export function georadiusKeyPositions(from: number) {
  return (argv: readonly Uint8Array[]): { position: number; spec: number }[] => {
    const keys = [{ position: 1, spec: 0 }];
    for (const [keyword, spec] of [
      ['STORE', 1],
      ['STOREDIST', 2],
    ] as const) {
      for (let i = from; i < argv.length - 1; i++) {
        if (isCWord(argv[i], keyword)) {
          keys.push({ position: i + 1, spec });
          break;
        }
      }
    }
    return keys;
  };
}

/**
 * Whether the line stores into a key its key specs do not name (STORE a STORE b writes b): its locks then cover
 * every segment (transaction.ts keysOfCommand), so the write and its log entry stay ordered.
 */
export function writesUnnamedKey(kind: SearchKind, from: number) {
  const specKeys = georadiusKeyPositions(from);
  return (argv: readonly Buffer[]): boolean => {
    const destination = storeKeyOf(argv, kind);
    return destination !== null && !specKeys(argv).some(({ position }) => argv[position] === destination);
  };
}
