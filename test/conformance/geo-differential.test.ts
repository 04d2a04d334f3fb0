// Differential test of the GEO commands against real Redis 7.0, for every transport, in RESP2 and RESP3: random
// points (edge latitudes +-85.05112878, longitudes +-180, clusters around a few centres, repeated coordinates
// so that distances tie, members ZADD gave scores no GEOADD would), the listpack limit lowered at random so
// both encodings are searched, then GEOPOS, GEOHASH, GEODIST and every search with random centres, radii, boxes,
// units and options in random order (STORE / STOREDIST read back with ZRANGE WITHSCORES and OBJECT ENCODING),
// and malformed lines for the errors. Every reply must match byte for byte. Each run's lines go to both servers
// as one pipeline. Fixed seed (fcParameters: FC_SEED=random for a soak). Skipped without redis-server.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParameters, showArgv, timeoutFor, type Arg } from '../support/live-harness.js';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { transports } from '../support/server.js';
import { loadNative } from '../../src/transport/threadpool/native.js';

type Argv = Arg[];

const LAT_EDGE = 85.05112878;
const CENTRES: readonly [number, number][] = [
  [13.361389, 38.115556],
  [-180, LAT_EDGE],
  [180, -LAT_EDGE],
  [0, 0],
  [179.99, 60],
  [-73.9, 40.7],
];

const longitude = fc.oneof(
  { weight: 4, arbitrary: fc.noBias(fc.double({ min: -180, max: 180, noNaN: true })) },
  { weight: 1, arbitrary: fc.constantFrom(-180, 180, 0, -0.000001, 179.999999) },
);
const latitude = fc.oneof(
  { weight: 4, arbitrary: fc.noBias(fc.double({ min: -LAT_EDGE, max: LAT_EDGE, noNaN: true })) },
  { weight: 1, arbitrary: fc.constantFrom(-LAT_EDGE, LAT_EDGE, 0, 66.5, -80.5) },
);
/** A point near one of the centres (within about a degree), clamped into the valid ranges. */
const nearCentre = fc
  .tuple(
    fc.constantFrom(...CENTRES),
    fc.noBias(fc.double({ min: -1, max: 1, noNaN: true })),
    fc.noBias(fc.double({ min: -1, max: 1, noNaN: true })),
  )
  .map(([[x, y], dx, dy]): [number, number] => [
    Math.max(-180, Math.min(180, x + dx)),
    Math.max(-LAT_EDGE, Math.min(LAT_EDGE, y + dy)),
  ]);
const point = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(longitude, latitude) },
  { weight: 3, arbitrary: nearCentre },
);

const MEMBERS = Array.from({ length: 24 }, (_, i) => `m${i}`);
const member = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...MEMBERS) },
  { weight: 1, arbitrary: fc.constantFrom('nosuch', '') },
);
const coordinateText = (x: number): string => String(x);
const UNITS: readonly [string, number][] = [
  ['m', 1],
  ['km', 1000],
  ['ft', 0.3048],
  ['mi', 1609.34],
  ['KM', 1000],
  ['Mi', 1609.34],
];
/** A distance and its unit: 1 m to the Earth's half circumference, spread evenly on a log scale. */
const distanceAndUnit = fc
  .tuple(fc.noBias(fc.double({ min: 0, max: 7.3, noNaN: true })), fc.constantFrom(...UNITS))
  .map(([power, [unit, metres]]): [string, string] => [String(10 ** power / metres), unit]);
const radiusAndUnit = fc.oneof(
  { weight: 12, arbitrary: distanceAndUnit },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('0', '-1', 'x', '1e7', '0.5'), fc.constantFrom('m', 'km', 'yd')),
  },
);
const centre = fc.oneof(
  { weight: 12, arbitrary: point },
  { weight: 1, arbitrary: fc.constantFrom<[number, number]>([200, 0], [0, 86], [181, 90]) },
);
const count = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('1', '2', '3', '5', '10', '50') },
  { weight: 1, arbitrary: fc.constantFrom('0', '-1', 'x') },
);

interface Dataset {
  readonly setup: Argv[];
}

const dataset: fc.Arbitrary<Dataset> = fc
  .record({
    // Every member placed (FROMMEMBER finds it), then some moved or placed again.
    placed: fc.array(point, { minLength: MEMBERS.length, maxLength: MEMBERS.length }),
    points: fc.array(fc.tuple(member, point), { maxLength: 16 }),
    // Repeated coordinates: members with the same position tie on distance.
    twins: fc.array(fc.tuple(member, fc.constantFrom(...CENTRES)), { maxLength: 6 }),
    odd: fc.array(
      fc.tuple(
        member,
        fc.constantFrom('-5', '1.5', '4503599627370496', '1e20', '-inf', 'inf', '123456789.75'),
      ),
      { maxLength: 2 },
    ),
    listpackEntries: fc.constantFrom('128', '4', '0'),
  })
  .map(({ placed, points, twins, odd, listpackEntries }) => {
    const setup: Argv[] = [['CONFIG', 'SET', 'zset-max-listpack-entries', listpackEntries]];
    const all = [...placed.map((p, i): [Arg, [number, number]] => [MEMBERS[i], p]), ...points, ...twins];
    for (let i = 0; i < all.length; i += 8) {
      const chunk = all.slice(i, i + 8);
      setup.push([
        'GEOADD',
        'g',
        ...chunk.flatMap(([m, [x, y]]) => [coordinateText(x), coordinateText(y), m]),
      ]);
    }
    for (const [m, score] of odd) setup.push(['ZADD', 'g', score, m]);
    setup.push(['SET', 'str', 'x']);
    return { setup };
  });

const withOptions = fc.subarray(['WITHDIST', 'WITHHASH', 'WITHCOORD'] as const);
const order = fc.constantFrom<Argv>([], [], ['ASC'], ['DESC'], ['desc']);
const countOption = fc.option(
  fc.tuple(count, fc.boolean()).map(([n, any]): Argv => ['COUNT', n, ...(any ? ['ANY'] : [])]),
);
const sourceKey = fc.oneof(
  { weight: 10, arbitrary: fc.constant('g') },
  { weight: 1, arbitrary: fc.constantFrom('nokey', 'str') },
);

/** Options in random order: a shuffle drawn as sort keys. */
function shuffled(parts: Argv[], keys: number[]): Argv {
  return parts
    .map((p, i) => ({ p, k: keys[i % keys.length] }))
    .sort((a, b) => a.k - b.k)
    .flatMap(({ p }) => p);
}

const keysForShuffle = fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 6, maxLength: 6 });

/** GEORADIUS and GEORADIUSBYMEMBER (and _RO), maybe with STORE or STOREDIST. */
const radiusLine = fc
  .record({
    byMember: fc.boolean(),
    ro: fc.boolean(),
    key: sourceKey,
    centre,
    member,
    radius: radiusAndUnit,
    withs: withOptions,
    order,
    count: countOption,
    store: fc.constantFrom<Argv | null>(null, null, ['STORE', 'dst'], ['STOREDIST', 'dst'], ['store', 'g']),
    shuffle: keysForShuffle,
  })
  .map((r): Argv => {
    const name = `${r.byMember ? 'GEORADIUSBYMEMBER' : 'GEORADIUS'}${r.ro ? '_RO' : ''}`;
    const head: Argv = r.byMember
      ? [name, r.key, r.member, ...r.radius]
      : [name, r.key, coordinateText(r.centre[0]), coordinateText(r.centre[1]), ...r.radius];
    const parts: Argv[] = r.withs.map((w) => [w]);
    if (r.order.length > 0) parts.push(r.order);
    if (r.count !== null) parts.push(r.count);
    // Mostly without WITH* when storing, so the store runs rather than the incompatibility error.
    if (r.store !== null && (r.withs.length === 0 || r.shuffle[0] < 20)) parts.push(r.store);
    return [...head, ...shuffled(parts, r.shuffle)];
  });

/** GEOSEARCH and GEOSEARCHSTORE. */
const searchLine = fc
  .record({
    store: fc.boolean(),
    key: sourceKey,
    fromMember: fc.boolean(),
    member,
    centre,
    byBox: fc.boolean(),
    radius: radiusAndUnit,
    width: radiusAndUnit,
    height: radiusAndUnit,
    withs: withOptions,
    order,
    count: countOption,
    storeDist: fc.boolean(),
    shuffle: keysForShuffle,
  })
  .map((r): Argv => {
    const head: Argv = r.store ? ['GEOSEARCHSTORE', 'dst', r.key] : ['GEOSEARCH', r.key];
    const parts: Argv[] = [
      r.fromMember
        ? ['FROMMEMBER', r.member]
        : ['FROMLONLAT', coordinateText(r.centre[0]), coordinateText(r.centre[1])],
      r.byBox ? ['BYBOX', r.width[0], r.height[0], r.height[1]] : ['BYRADIUS', ...r.radius],
    ];
    if (r.order.length > 0) parts.push(r.order);
    if (r.count !== null) parts.push(r.count);
    if (r.store) {
      if (r.storeDist) parts.push(['STOREDIST']);
    } else parts.push(...r.withs.map((w) => [w]));
    return [...head, ...shuffled(parts, r.shuffle)];
  });

const pointLine = fc.oneof(
  fc.tuple(sourceKey, fc.array(member, { maxLength: 4 })).map(([k, ms]): Argv => ['GEOPOS', k, ...ms]),
  fc.tuple(sourceKey, fc.array(member, { maxLength: 4 })).map(([k, ms]): Argv => ['GEOHASH', k, ...ms]),
  fc
    .tuple(sourceKey, member, member, fc.option(fc.constantFrom('m', 'km', 'ft', 'mi', 'yd')))
    .map(([k, a, b, u]): Argv => ['GEODIST', k, a, b, ...(u === null ? [] : [u])]),
  fc
    .tuple(fc.constantFrom<Argv>([], ['NX'], ['XX'], ['CH'], ['XX', 'CH'], ['NX', 'XX']), member, centre)
    .map(([flags, m, [x, y]]): Argv => ['GEOADD', 'g', ...flags, coordinateText(x), coordinateText(y), m]),
);

/** Malformed lines, for the errors in Redis's order. */
const badLine = fc.constantFrom<Argv>(
  ['GEOADD', 'g', '1', '2'],
  ['GEOADD', 'g', '1', '2', 'a', '3'],
  ['GEOADD', 'g', 'x', '2', 'a'],
  ['GEOADD', 'g', '1', 'nan', 'a'],
  ['GEOADD', 'g', '-180.0000001', '0', 'a'],
  ['GEOADD', 'g', '1e400', '0', 'a'],
  ['GEOADD', 'g', 'CH', 'CH', 'NX'],
  ['GEOADD', 'g', 'GT', '1', '2', 'a'],
  ['GEOADD', 'str', '1', '2', 'a'],
  ['GEODIST', 'g', 'm1', 'm2', 'km', 'extra'],
  ['GEORADIUS', 'g', '0', '0', '10', 'km', 'COUNT'],
  ['GEORADIUS', 'g', '0', '0', '10', 'km', 'STORE'],
  ['GEORADIUS', 'g', '0', '0', '10', 'km', 'WITHDIST', 'STORE', 'd'],
  ['GEORADIUS_RO', 'g', '0', '0', '10', 'km', 'STORE', 'd'],
  ['GEORADIUS', 'g', '0', '0', '10', 'km', 'ANY'],
  ['GEORADIUS', 'g', '0', '0', '10', 'km', 'COUNT', '1.5'],
  ['GEORADIUS', 'g', '0', '0', '10', 'km', 'BOGUS'],
  ['GEORADIUS', 'g', '0', '0', 'x', 'km'],
  ['GEORADIUS', 'g', 'x', '0', '-1', 'km'],
  ['GEORADIUSBYMEMBER', 'g', 'nosuch', 'x', 'yd'],
  ['GEORADIUSBYMEMBER', 'nokey', 'nosuch', 'x', 'yd', 'COUNT', '0'],
  ['GEORADIUSBYMEMBER', 'nokey', 'nosuch', 'x', 'yd', 'STORE', 'dst'],
  ['GEOSEARCH', 'g', 'FROMMEMBER', 'm1', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCH', 'g', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km', 'FROMLONLAT', '0', '0'],
  ['GEOSEARCH', 'g', 'BYRADIUS', '1', 'km', 'WITHDIST', 'ASC'],
  ['geosearch', 'g', 'FROMLONLAT', '0', '0', 'WITHDIST', 'ASC'],
  ['GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYBOX', '1', '-1', 'km'],
  ['GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYBOX', 'x', '-1', 'km'],
  ['GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYBOX', '1', 'y', 'km'],
  ['GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'STORE', 'd'],
  ['GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'STOREDIST'],
  ['GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'WITHCOORD'],
  ['GEOSEARCHSTORE', 'd', 'str', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
  ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '-1', 'km'],
  ['GEOSEARCH', 'g', 'FROMMEMBER', 'nosuch', 'BYRADIUS', '-1', 'km'],
  ['GEOSEARCH', 'g', 'BYRADIUS', '-1', 'km', 'FROMMEMBER', 'nosuch'],
  ['GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'WITHDIST\u0000x'],
);

/** What a storing line left in its destination. */
const readBack: Argv[] = [
  ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
  ['OBJECT', 'ENCODING', 'dst'],
  ['TYPE', 'dst'],
];

const line = fc.oneof(
  { weight: 5, arbitrary: radiusLine },
  { weight: 5, arbitrary: searchLine },
  { weight: 3, arbitrary: pointLine },
  { weight: 1, arbitrary: badLine },
);

/** Whether this checkout's native helper has libm's functions (built after native/libm.c was added). */
const native = loadNative();
const haveLibm =
  !(native instanceof Error) && typeof (native as unknown as { sin?: unknown }).sin === 'function';
if (haveRedisServer && !haveLibm)
  console.warn(
    "the native helper has no libm calls: skipping the GEO test of V8's last bit (npx node-gyp rebuild)",
  );

const RUNS = fcParameters(25, 0x6e0);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: GEO differential against redis-server',
  (transport) => {
    const both = useBothServers(transport);

    async function run(data: Dataset, lines: readonly Argv[], log: (l: string) => void): Promise<void> {
      const requests: Argv[] = [['FLUSHALL'], ...data.setup];
      for (const l of lines) {
        requests.push(l);
        if (/store/i.test(l.map(String).join(' '))) requests.push(...readBack);
      }
      const [expected, actual] = await Promise.all([
        both.real.pipeline(requests),
        both.lite.pipeline(requests),
      ]);
      for (let i = 0; i < requests.length; i++) {
        const want = expected[i].toString('latin1');
        log(`${showArgv(requests[i])} -> ${JSON.stringify(want)}`);
        expect(actual[i].toString('latin1'), showArgv(requests[i])).toBe(want);
      }
    }

    it.each([2, 3] as const)(
      'answers random GEO lines over random points as Redis does, in RESP%s',
      async (protocol) => {
        for (const c of [both.lite, both.real]) await c.call(['HELLO', String(protocol)]);
        await fc.assert(
          fc.asyncProperty(
            dataset,
            fc.array(line, { minLength: 1, maxLength: 14 }),
            fc.context(),
            (data, lines, ctx) => run(data, lines, (l) => ctx.log(l)),
          ),
          RUNS,
        );
      },
      timeoutFor(RUNS.numRuns, 300),
    );

    it.skipIf(!haveLibm)(
      "stores a distance whose last bit V8's Math functions get wrong as Redis does (libm's)",
      async () => {
        // Found by a soak: fdlibm's distance here is 1100889.269954181, glibc's 1100889.2699541808.
        const requests: Argv[] = [
          ['FLUSHALL'],
          ['GEOADD', 'g', '0', String(LAT_EDGE), 'm0'],
          ['ZADD', 'g', '4503599627370496', 'm25'],
          ['GEOSEARCHSTORE', 'dst', 'g', 'FROMMEMBER', 'm0', 'BYRADIUS', '1e7', 'm', 'STOREDIST'],
          ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
        ];
        const [expected, actual] = await Promise.all([
          both.real.pipeline(requests),
          both.lite.pipeline(requests),
        ]);
        expect(actual.map(String)).toEqual(expected.map(String));
      },
    );

    it('counts keyspace hits and misses as Redis does: before argument errors, a hit for WRONGTYPE', async () => {
      const lines = [
        'GEOPOS g a',
        'GEOPOS nokey a',
        'GEOHASH g a',
        'GEODIST g a b',
        'GEODIST nokey a b',
        'GEODIST g a b yd',
        'GEORADIUS g 1 2 100 km',
        'GEORADIUS g 1 2 -1 km',
        'GEORADIUSBYMEMBER g zz 1 km',
        'GEOSEARCH g FROMMEMBER a BYRADIUS 1 km COUNT 0',
        'GEOSEARCHSTORE d g FROMLONLAT 1 2 BYRADIUS 1000 km',
        'GEOSEARCHSTORE d nokey FROMLONLAT 1 2 BYRADIUS 1000 km',
        'GEORADIUS s 1 2 1 km',
        'GEOPOS s',
        'GEOSEARCHSTORE d s FROMLONLAT 1 2 BYRADIUS 1 km',
      ];
      const requests: Argv[] = [
        ['FLUSHALL'],
        ['GEOADD', 'g', '1', '2', 'a', '3', '4', 'b'],
        ['SET', 's', 'x'],
        ['CONFIG', 'RESETSTAT'],
        ...lines.map((l) => l.split(' ')),
        ['INFO', 'stats'],
      ];
      const lookups = (info: Buffer): string[] =>
        info
          .toString('latin1')
          .split('\r\n')
          .filter((l) => l.startsWith('keyspace_'));
      const [expected, actual] = await Promise.all([
        both.real.pipeline(requests),
        both.lite.pipeline(requests),
      ]);
      expect(actual.slice(0, -1).map(String)).toEqual(expected.slice(0, -1).map(String));
      expect(lookups(actual[actual.length - 1])).toEqual(lookups(expected[expected.length - 1]));
    });

    it('answers COMMAND INFO, DOCS and GETKEYSANDFLAGS of the GEO commands as Redis does', async () => {
      const names = [
        'geoadd',
        'geodist',
        'geohash',
        'geopos',
        'georadius',
        'georadius_ro',
        'georadiusbymember',
        'georadiusbymember_ro',
        'geosearch',
        'geosearchstore',
      ];
      const requests: Argv[] = [
        ['COMMAND', 'INFO', ...names],
        ['COMMAND', 'DOCS', ...names],
        ['COMMAND', 'GETKEYSANDFLAGS', 'GEORADIUS', 'k', '0', '0', '1', 'km', 'STORE', 'a', 'STOREDIST', 'b'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'GEORADIUSBYMEMBER', 'k', 'm', '1', 'km', 'STOREDIST', 'b'],
        ['COMMAND', 'GETKEYS', 'GEORADIUS', 'k', '0', '0', '1', 'km', 'COUNT', '1'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'GEOSEARCHSTORE', 'd', 's', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'],
        ['COMMAND', 'GETKEYS', 'GEOADD', 'k', '1', '2', 'm'],
      ];
      const [expected, actual] = await Promise.all([
        both.real.pipeline(requests),
        both.lite.pipeline(requests),
      ]);
      for (let i = 0; i < requests.length; i++) {
        expect(actual[i].toString('latin1'), showArgv(requests[i])).toBe(expected[i].toString('latin1'));
      }
    });
  },
);
