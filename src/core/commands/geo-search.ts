// The GEO searches (redis.io/commands/georadius, geosearch ...; Redis 7.0's geo.c georadiusGeneric): GEORADIUS
// and GEORADIUSBYMEMBER (with STORE / STOREDIST), their _RO forms, GEOSEARCH and GEOSEARCHSTORE. The line is read
// (geo/search-request.ts) and the search run (geo/search.ts) under the source's lock, so a member looked up as
// the centre and the points found belong to one instant; a line that stores holds the destination's lock too
// and replaces it with the result (or deletes it), with `new`, `georadiusstore` / `geosearchstore` or `del`.
// Replies: a member alone, or [member, distance (4 decimals), hash (integer), [longitude, latitude]] with what
// was asked, in that order. A storing line is logged to the append-only file as sent (aof/as-logged.ts).

import type { CommandContext, CommandSpec } from '../command.js';
import { markChanged } from '../dirty.js';
import { CommandError } from '../errors.js';
import {
  georadiusKeyPositions,
  parseSearchRequest,
  storeKeyOf,
  writesUnnamedKey,
  type SearchKind,
  type SearchRequest,
} from '../geo/search-request.js';
import { searchPoints, type GeoPoint } from '../geo/search.js';
import { distanceText, humanText } from '../geo/geo-text.js';
import type { GeoShape } from '../geo/geohash-helper.js';
import {
  NOTIFY_GENERIC,
  NOTIFY_ZSET,
  notifyCreated,
  notifyKeyspaceEvent,
  writeWithMissing,
} from '../pubsub/keyspace-events.js';
import { array, bulk, bulkString, doubleText, integer, type Reply } from '../reply.js';
import type { ScoredMember } from '../store/zset-types.js';
import type { ZsetView } from '../store/zset-view.js';
import { looked } from './bitmap.js';

const EMPTY_ARRAY = array([]);

/** A coordinate as addReplyHumanLongDouble writes it. */
export const coordinate = (x: number): Reply => doubleText(x, humanText(x));

function pointReply(point: GeoPoint, request: SearchRequest, conversion: number): Reply {
  const { withDist, withHash, withCoord } = request;
  if (!withDist && !withHash && !withCoord) return bulk(point.member);
  const parts: Reply[] = [bulk(point.member)];
  if (withDist) parts.push(bulkString(distanceText(point.dist / conversion)));
  // addReplyLongLong(gp->score): the score converted to a long long, truncated.
  if (withHash) parts.push(integer(Math.trunc(point.score)));
  if (withCoord) parts.push(array([coordinate(point.longitude), coordinate(point.latitude)]));
  return array(parts);
}

/**
 * Runs `work`, which reads the sorted set at `key` and calls `seen` with what it found, and counts that lookup as
 * lookupKeyRead does, first thing: a keyspace hit or miss (and `keymiss`) even when an argument read afterwards
 * is refused. A key of another type throws WRONGTYPE before `seen`: the executor counts that hit.
 */
export function lookupCounted<R>(
  ctx: CommandContext,
  key: Buffer,
  work: (seen: (z: ZsetView | null) => void) => R,
): R {
  let found: boolean | undefined;
  try {
    return work((z) => {
      found = z !== null;
    });
  } finally {
    if (found !== undefined) looked(ctx, key, found);
  }
}

function searched(request: SearchRequest): request is SearchRequest & { shape: GeoShape } {
  return request.shape !== null;
}

/** georadiusGeneric for one of the six commands. */
function georadiusGeneric(kind: SearchKind) {
  const sourceIndex = kind === 'searchStore' ? 2 : 1;
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const source = argv[sourceIndex];
    const destination = storeKeyOf(argv, kind);
    return lookupCounted(ctx, source, (seen) => {
      if (destination === null) {
        return ctx.store.zsetRead(source, (z) => {
          seen(z);
          const request = parseSearchRequest(argv, kind, z);
          if (z === null || !searched(request)) return EMPTY_ARRAY;
          const points = searchPoints(z, request);
          const conversion = request.shape.conversion;
          return points.length === 0
            ? EMPTY_ARRAY
            : array(points.map((p) => pointReply(p, request, conversion)));
        });
      }
      const compute = (z: ZsetView | null): ScoredMember[] => {
        seen(z);
        const request = parseSearchRequest(argv, kind, z);
        if (z === null || !searched(request)) return [];
        const conversion = request.shape.conversion;
        return searchPoints(z, request).map((p) => ({
          member: p.member,
          score: request.storeDist ? p.dist / conversion : p.score,
        }));
      };
      const keys = [destination, source];
      const { result, missing } = writeWithMissing(ctx, keys, (store) =>
        store.zsetReadStore(destination, source, compute),
      );
      if (result.length > 0) {
        markChanged(ctx, result.length); // georadiusGeneric: a change per point stored
        notifyCreated(ctx, keys, missing, 0);
        const event = kind === 'searchStore' ? 'geosearchstore' : 'georadiusstore';
        notifyKeyspaceEvent(ctx, NOTIFY_ZSET, event, destination);
      } else if (result.deleted) {
        markChanged(ctx);
        notifyKeyspaceEvent(ctx, NOTIFY_GENERIC, 'del', destination);
      }
      return integer(result.length);
    });
  };
}

const base = { group: 'geo', keys: [1, 1, 1], since: '3.2.0' } as const;
const RADIUS_OPTIONS =
  '[WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]';
const RADIUS_RO_OPTIONS = '[WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]';
const FROM = '<FROMMEMBER member | FROMLONLAT longitude latitude>';
const BY = '<BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>>';

export const geoSearchCommands: readonly CommandSpec[] = [
  {
    ...base,
    name: 'georadius',
    syntax: `GEORADIUS key longitude latitude radius <M | KM | FT | MI> ${RADIUS_OPTIONS}`,
    summary:
      'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point',
    arity: -6,
    flags: ['write', 'denyoom', 'movablekeys'],
    getKeys: georadiusKeyPositions(6),
    readsUnnamedKeys: writesUnnamedKey('radius', 6),
    run: georadiusGeneric('radius'),
  },
  {
    ...base,
    name: 'georadius_ro',
    syntax: `GEORADIUS_RO key longitude latitude radius <M | KM | FT | MI> ${RADIUS_RO_OPTIONS}`,
    summary: 'A read-only variant for GEORADIUS',
    since: '3.2.10',
    arity: -6,
    flags: ['readonly'],
    run: georadiusGeneric('radiusRo'),
  },
  {
    ...base,
    name: 'georadiusbymember',
    syntax: `GEORADIUSBYMEMBER key member radius <M | KM | FT | MI> ${RADIUS_OPTIONS}`,
    summary:
      'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member',
    arity: -5,
    flags: ['write', 'denyoom', 'movablekeys'],
    getKeys: georadiusKeyPositions(5),
    readsUnnamedKeys: writesUnnamedKey('radiusMember', 5),
    run: georadiusGeneric('radiusMember'),
  },
  {
    ...base,
    name: 'georadiusbymember_ro',
    syntax: `GEORADIUSBYMEMBER_RO key member radius <M | KM | FT | MI> ${RADIUS_RO_OPTIONS}`,
    summary: 'A read-only variant for GEORADIUSBYMEMBER',
    since: '3.2.10',
    arity: -5,
    flags: ['readonly'],
    run: georadiusGeneric('radiusMemberRo'),
  },
  {
    ...base,
    name: 'geosearch',
    syntax: `GEOSEARCH key ${FROM} ${BY} [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]`,
    summary:
      'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.',
    since: '6.2.0',
    arity: -7,
    flags: ['readonly'],
    run: georadiusGeneric('search'),
  },
  {
    ...base,
    name: 'geosearchstore',
    syntax: `GEOSEARCHSTORE destination source ${FROM} ${BY} [ASC | DESC] [COUNT count [ANY]] [STOREDIST]`,
    summary:
      'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.',
    since: '6.2.0',
    keys: [1, 2, 1],
    arity: -8,
    flags: ['write', 'denyoom'],
    run: georadiusGeneric('searchStore'),
  },
];
