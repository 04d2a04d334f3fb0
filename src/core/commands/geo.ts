// The GEO commands (redis.io/commands/geoadd ...; Redis 7.0's geo.c): points kept in a sorted set, each member
// scored with its 52-bit geohash (src/core/geo/). GEOADD is ZADD of those scores, with ZADD's events and reply,
// and is logged to the append-only file as that ZADD, as Redis propagates it (aof/as-logged.ts); GEOPOS, GEOHASH
// and GEODIST decode members' scores. The searches are in geo-search.ts.

import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError, ERR } from '../errors.js';
import { geoaddArguments } from '../geo/geoadd.js';
import { decodeScore, standardGeohash } from '../geo/geohash.js';
import { geoDistance } from '../geo/geohash-helper.js';
import { distanceText } from '../geo/geo-text.js';
import { parseUnit } from '../geo/search-request.js';
import {
  notifyCreated,
  notifyKeyspaceEvent,
  NOTIFY_ZSET,
  writeWithMissing,
} from '../pubsub/keyspace-events.js';
import { array, bulkString, integer, NIL, NIL_ARRAY, type Reply } from '../reply.js';
import { coordinate, geoSearchCommands, lookupCounted } from './geo-search.js';

function geoadd(argv: Buffer[], ctx: CommandContext): Reply {
  const { pairs, nx, xx, ch } = geoaddArguments(argv);
  const key = argv[1];
  const { result, missing } = writeWithMissing(ctx, [key], (store) =>
    store.zadd(key, pairs, { nx, xx, gt: false, lt: false, incr: false }),
  );
  markChanged(ctx, result.added + result.updated); // as the ZADD Redis runs it as
  if (result.added > 0) notifyCreated(ctx, [key], missing, 0);
  if (result.added + result.updated > 0) notifyKeyspaceEvent(ctx, NOTIFY_ZSET, 'zadd', key);
  return integer(ch ? result.added + result.updated : result.added);
}

/** The members' scores (null: missing member), null for a missing key; one counted lookup (a hit for WRONGTYPE). */
function scoresOf(ctx: CommandContext, key: Buffer, members: readonly Buffer[]): (number | null)[] | null {
  // Through a view of the set, not ZMSCORE: the type is checked even with no member named.
  return lookupCounted(ctx, key, (seen) =>
    ctx.store.zsetRead(key, (z) => {
      seen(z);
      return z === null ? null : members.map((m) => z.score(m) ?? null);
    }),
  );
}

/** GEOPOS key [member ...]: [longitude, latitude] per member, a null array for a missing one. */
function geopos(argv: Buffer[], ctx: CommandContext): Reply {
  const members = argv.slice(2);
  const scores = scoresOf(ctx, argv[1], members);
  return array(
    members.map((_, i) => {
      const score = scores?.[i] ?? null;
      const xy = score === null ? null : decodeScore(score);
      return xy === null ? NIL_ARRAY : array([coordinate(xy[0]), coordinate(xy[1])]);
    }),
  );
}

/** GEOHASH key [member ...]: the standard 11-character geohash per member, null for a missing one. */
function geohash(argv: Buffer[], ctx: CommandContext): Reply {
  const members = argv.slice(2);
  const scores = scoresOf(ctx, argv[1], members);
  return array(
    members.map((_, i) => {
      const score = scores?.[i] ?? null;
      const xy = score === null ? null : decodeScore(score);
      return xy === null ? NIL : bulkString(standardGeohash(xy[0], xy[1]));
    }),
  );
}

/** GEODIST key member1 member2 [unit]: the unit first, then the key; null when either member is missing. */
function geodist(argv: Buffer[], ctx: CommandContext): Reply {
  let toMeter = 1;
  if (argv.length === 5) toMeter = parseUnit(argv[4]);
  else if (argv.length > 5) throw new CommandError(ERR.syntax);
  const scores = scoresOf(ctx, argv[1], [argv[2], argv[3]]);
  if (scores === null || scores[0] === null || scores[1] === null) return NIL;
  const a = decodeScore(scores[0]);
  const b = decodeScore(scores[1]);
  return bulkString(distanceText(geoDistance(a[0], a[1], b[0], b[1]) / toMeter));
}

const base = { group: 'geo', keys: [1, 1, 1] } as const;

export const geoCommands: readonly CommandSpec[] = [
  {
    ...base,
    name: 'geoadd',
    syntax: 'GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]',
    summary: 'Add one or more geospatial items in the geospatial index represented using a sorted set',
    since: '3.2.0',
    arity: -5,
    flags: ['write', 'denyoom'],
    run: geoadd,
  },
  {
    ...base,
    name: 'geodist',
    syntax: 'GEODIST key member1 member2 [M | KM | FT | MI]',
    summary: 'Returns the distance between two members of a geospatial index',
    since: '3.2.0',
    arity: -4,
    flags: ['readonly'],
    run: geodist,
  },
  {
    ...base,
    name: 'geohash',
    syntax: 'GEOHASH key [member [member ...]]',
    summary: 'Returns members of a geospatial index as standard geohash strings',
    since: '3.2.0',
    arity: -2,
    flags: ['readonly'],
    run: geohash,
  },
  {
    ...base,
    name: 'geopos',
    syntax: 'GEOPOS key [member [member ...]]',
    summary: 'Returns longitude and latitude of members of a geospatial index',
    since: '3.2.0',
    arity: -2,
    flags: ['readonly'],
    run: geopos,
  },
  ...geoSearchCommands,
];
