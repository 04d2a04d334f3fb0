// The GEO building blocks, pinned to Redis 7.0.15's outputs where they are not plain arithmetic: a distance's
// 4 decimals rounded as llrint (half to even; NaN as LLONG_MIN), coordinates as "%.17Lf" trimmed, the 52-bit
// score of a point and its decoding (scores no GEOADD writes wrap as gcc's double -> uint64_t does), GEOHASH's
// string, the two sorts (stable merge for every result, Redis's pqsort for COUNT), GEOADD's AOF form, and the
// lines the append-only file gets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asLogged } from '../../src/core/aof/as-logged.js';
import { geoaddAsZadd } from '../../src/core/geo/geoadd.js';
import { distanceText, humanText, percentF } from '../../src/core/geo/geo-text.js';
import {
  align52,
  decodeScore,
  geohashEncodeWGS84,
  standardGeohash,
  uint64OfScore,
} from '../../src/core/geo/geohash.js';
import { estimateStepsByRadius } from '../../src/core/geo/geohash-helper.js';
import { georadiusKeyPositions, writesUnnamedKey } from '../../src/core/geo/search-request.js';
import { mergeSort, partialQuickSort } from '../../src/core/geo/sort-points.js';
import { integer } from '../../src/core/reply.js';

const b = (...args: string[]): Buffer[] => args.map((a) => Buffer.from(a));

describe('GEO text', () => {
  it('writes distances with 4 decimals, halves to even as llrint, NaN as LLONG_MIN', () => {
    expect(distanceText(0)).toBe('0.0000');
    expect(distanceText(166.27415156960032)).toBe('166.2742');
    expect(distanceText(0.00025)).toBe('0.0002'); // 2.5 -> 2
    expect(distanceText(0.00035)).toBe('0.0004'); // 3.5 -> 4
    expect(distanceText(0.00015)).toBe('0.0001'); // 1.4999999999999998
    expect(distanceText(1234567.89)).toBe('1234567.8900');
    expect(distanceText(Number.NaN)).toBe('-922337203685477.5808');
  });

  it('writes coordinates as ld2string LD_STR_HUMAN and error lines as %f', () => {
    expect(humanText(13.361389338970184)).toBe('13.36138933897018433');
    expect(humanText(-179.99999731779099)).toBe('-179.99999731779098511');
    expect(humanText(-0)).toBe('0');
    expect(humanText(180)).toBe('180');
    expect(percentF(200)).toBe('200.000000');
    expect(percentF(-0)).toBe('-0.000000');
    expect(percentF(-1e-9)).toBe('-0.000000');
  });
});

describe('geohash', () => {
  it('scores a point as GEOADD does and decodes it as GEOPOS does', () => {
    const hash = geohashEncodeWGS84(13.361389, 38.115556, 26);
    expect(hash).not.toBeNull();
    expect(align52(hash!)).toBe(3479099956230698);
    expect(decodeScore(3479099956230698)?.map(humanText)).toEqual([
      '13.36138933897018433',
      '38.11555639549629859',
    ]);
    expect(geohashEncodeWGS84(180.0000001, 0, 26)).toBeNull();
    expect(geohashEncodeWGS84(0, 85.05112879, 26)).toBeNull();
  });

  it('converts any score to uint64_t as gcc does on x86-64', () => {
    const big = (s: number): bigint => {
      const h = uint64OfScore(s);
      return (BigInt(h.hi) << 32n) | BigInt(h.lo);
    };
    expect(big(1.75)).toBe(1n);
    expect(big(-5)).toBe(2n ** 64n - 5n);
    expect(big(-0.5)).toBe(0n);
    expect(big(-Infinity)).toBe(2n ** 63n);
    expect(big(Infinity)).toBe(0n);
    expect(big(2 ** 64)).toBe(0n);
    expect(big(2 ** 63 + 2 ** 12)).toBe(2n ** 63n + 2n ** 12n);
  });

  it("writes GEOHASH's 11 characters over the standard latitude range", () => {
    expect(standardGeohash(13.361389338970184, 38.115556395496299)).toBe('sqc8b49rny0');
    const catania = decodeScore(3479447370796909);
    expect(standardGeohash(catania![0], catania![1])).toBe('sqdtr74hyu0');
  });

  it('estimates the search step from the radius and the latitude', () => {
    expect(estimateStepsByRadius(0, 0)).toBe(26);
    expect(estimateStepsByRadius(200_000, 0)).toBe(6);
    expect(estimateStepsByRadius(200_000, 70)).toBe(5);
    expect(estimateStepsByRadius(200_000, -85)).toBe(4);
    expect(estimateStepsByRadius(1e9, 0)).toBe(1);
  });
});

describe('the sorts of a search', () => {
  const byKey = (a: { k: number }, c: { k: number }): number => (a.k > c.k ? 1 : a.k === c.k ? 0 : -1);

  it('keeps equal distances in their order when every result is returned (glibc msort)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }), (keys) => {
        const items = keys.map((k, i) => ({ k, i }));
        const sorted = [...items];
        mergeSort(sorted, byKey);
        expect(sorted).toEqual([...items].sort((x, y) => x.k - y.k || x.i - y.i));
      }),
      { seed: 0x6e0, numRuns: 200 },
    );
  });

  it('puts the smallest k first, in order, when COUNT keeps k (pqsort)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 120 }),
        fc.nat(),
        (keys, pick) => {
          const k = 1 + (pick % keys.length);
          const items = keys.map((key) => ({ k: key }));
          partialQuickSort(items, byKey, 0, k - 1);
          expect(items.slice(0, k).map((x) => x.k)).toEqual([...keys].sort((x, y) => x - y).slice(0, k));
          expect(items.map((x) => x.k).sort((x, y) => x - y)).toEqual([...keys].sort((x, y) => x - y));
        },
      ),
      { seed: 0x6e1, numRuns: 300 },
    );
  });
});

describe('GEO in the append-only file and COMMAND GETKEYS', () => {
  it('logs GEOADD as the zadd Redis propagates', () => {
    const line = b('GEOADD', 'g', 'ch', 'NX', '13.361389', '38.115556', 'Palermo');
    expect(geoaddAsZadd(line).map(String)).toEqual(['zadd', 'g', 'ch', 'NX', '3479099956230698', 'Palermo']);
    expect(asLogged('geoadd', line, integer(1), 0).map((argv) => argv.map(String))).toEqual([
      ['zadd', 'g', 'ch', 'NX', '3479099956230698', 'Palermo'],
    ]);
  });

  it('logs a radius search only when it stores', () => {
    const plain = b('GEORADIUS', 'g', '0', '0', '1', 'km', 'COUNT', '1');
    const storing = b('GEORADIUSBYMEMBER', 'g', 'm', '1', 'km', 'STOREDIST', 'd');
    expect(asLogged('georadius', plain, integer(0), 0)).toEqual([]);
    expect(asLogged('georadiusbymember', storing, integer(0), 0)).toEqual([storing]);
  });

  it("finds GEORADIUS's keys by Redis's keyword key specs, and tells a destination they miss", () => {
    const line = b('GEORADIUS', 'k', '0', '0', '1', 'km', 'STORE', 'a', 'STOREDIST', 'b');
    expect(georadiusKeyPositions(6)(line)).toEqual([
      { position: 1, spec: 0 },
      { position: 7, spec: 1 },
      { position: 9, spec: 2 },
    ]);
    // The last argument is never a keyword there: its key would be past the end.
    expect(georadiusKeyPositions(6)(b('GEORADIUS', 'k', '0', '0', '1', 'km', 'COUNT', '1', 'STORE'))).toEqual(
      [{ position: 1, spec: 0 }],
    );
    expect(writesUnnamedKey('radius', 6)(line)).toBe(false); // STOREDIST b is the destination
    expect(
      writesUnnamedKey('radius', 6)(b('GEORADIUS', 'k', '0', '0', '1', 'km', 'STORE', 'a', 'STORE', 'b')),
    ).toBe(true);
  });
});
