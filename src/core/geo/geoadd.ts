// GEOADD's arguments (geo.c geoaddCommand): NX, XX and CH, then longitude, latitude, member triples, each point
// checked and turned into its 52-bit geohash score; and the ZADD line Redis rewrites GEOADD into, which is what
// it propagates and what the append-only file gets. Pure: argv in, scores out.

import { CommandError, ERR } from '../errors.js';
import type { ScoredMember } from '../store/zset-types.js';
import { align52, GEO_STEP_MAX, geohashEncodeWGS84 } from './geohash.js';
import { isCWord, parseLongLat } from './search-request.js';

export interface GeoaddArguments {
  readonly pairs: ScoredMember[];
  readonly nx: boolean;
  readonly xx: boolean;
  readonly ch: boolean;
  /** Where the first longitude is: argv before it is the key and the options. */
  readonly first: number;
}

/**
 * GEOADD key [NX | XX] [CH] longitude latitude member ... (geoaddCommand): its options, every point checked and
 * encoded, then ZADD's work.
 */
export function geoaddArguments(argv: readonly Uint8Array[]): GeoaddArguments {
  let nx = false;
  let xx = false;
  let ch = false;
  let at = 2;
  for (; at < argv.length; at++) {
    if (isCWord(argv[at], 'NX')) nx = true;
    else if (isCWord(argv[at], 'XX')) xx = true;
    else if (isCWord(argv[at], 'CH')) ch = true;
    else break;
  }
  // No points at all is ZADD's own syntax error, once GEOADD has handed it the line.
  if ((argv.length - at) % 3 !== 0 || (xx && nx) || at === argv.length) throw new CommandError(ERR.syntax);
  const pairs: ScoredMember[] = [];
  for (let i = at; i < argv.length; i += 3) {
    const [longitude, latitude] = parseLongLat(argv[i], argv[i + 1]);
    const hash = geohashEncodeWGS84(longitude, latitude, GEO_STEP_MAX);
    if (hash === null) throw new Error('a checked point did not encode');
    const m = argv[i + 2];
    pairs.push({ score: align52(hash), member: Buffer.from(m.buffer, m.byteOffset, m.length) });
  }
  return { pairs, nx, xx, ch, first: at };
}

/** The ZADD line a successful GEOADD is propagated as: "zadd", its key and options as sent, score member pairs. */
export function geoaddAsZadd(argv: readonly Uint8Array[]): Uint8Array[] {
  const { pairs, first } = geoaddArguments(argv);
  const out: Uint8Array[] = [Buffer.from('zadd'), ...argv.slice(1, first)];
  for (const { score, member } of pairs) out.push(Buffer.from(String(score)), member);
  return out;
}
