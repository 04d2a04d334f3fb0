// A GEO search over a sorted set as Redis 7.0's geo.c runs it: the nine cells that cover the shape
// (geohash-helper.ts areasByShape) searched in a fixed order (centre, N, S, E, W, NE, NW, SE, SW; a cell equal to
// the one searched before it skipped), each as the score interval of its cell, every element decoded and kept
// when inside the shape; ANY stops at COUNT found. Then sorted by distance (sort-points.ts: qsort when all are
// returned, pqsort when COUNT keeps fewer); without ASC/DESC the results stay in search order.
// Knows no command syntax and no replies.

import type { ZsetView } from '../store/zset-view.js';
import { decodeScoreInto, isZeroHash, scoresOfBox, type GeoHashBits } from './geohash.js';
import { areasByShape, shapeTest, type GeoShape } from './geohash-helper.js';
import { mergeSort, partialQuickSort, type Compare } from './sort-points.js';
import type { SearchRequest } from './search-request.js';

export interface GeoPoint {
  readonly member: Buffer;
  readonly score: number;
  readonly longitude: number;
  readonly latitude: number;
  /** From the centre, in metres. */
  readonly dist: number;
}

/** sort_gp_asc: 1, 0 or -1 (a NaN distance compares as smaller). */
const ascending: Compare<GeoPoint> = (a, b) => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);
const descending: Compare<GeoPoint> = (a, b) => -ascending(a, b);

/** membersOfAllNeighbors: the points inside the shape, in search order; at most `limit` of them (0: all). */
export function pointsInShape(z: ZsetView, shape: GeoShape, limit: number): GeoPoint[] {
  const { hash, neighbors: n } = areasByShape(shape);
  const cells: GeoHashBits[] = [
    hash,
    n.north,
    n.south,
    n.east,
    n.west,
    n.north_east,
    n.north_west,
    n.south_east,
    n.south_west,
  ];
  const inShape = shapeTest(shape);
  // The element being looked at: longitude, latitude and distance, kept from select to take in a typed array
  // (a double in a closure variable or a return value is a heap allocation per element).
  const at = new Float64Array(3);
  const found: GeoPoint[] = [];
  const full = (): boolean => limit !== 0 && found.length >= limit;
  let lastProcessed = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (isZeroHash(cell)) continue;
    // A huge radius can make neighbours the same cell (Redis compares with the last searched, never the centre).
    const last = cells[lastProcessed];
    if (lastProcessed !== 0 && cell.hi === last.hi && cell.lo === last.lo && cell.step === last.step)
      continue;
    if (full()) break;
    const [min, max] = scoresOfBox(cell);
    z.walkScores(
      min,
      max,
      (score) => {
        decodeScoreInto(score, at);
        return inShape(at);
      },
      (member, score) => {
        found.push({ member, score, longitude: at[0], latitude: at[1], dist: at[2] });
        return !full();
      },
    );
    lastProcessed = i;
  }
  return found;
}

/** The points a request returns (or stores), in reply order, distances still in metres. */
export function searchPoints(z: ZsetView, request: SearchRequest & { shape: GeoShape }): GeoPoint[] {
  const points = pointsInShape(z, request.shape, request.any ? request.count : 0);
  const returned = request.count === 0 || points.length < request.count ? points.length : request.count;
  if (request.sort !== 'none') {
    const cmp = request.sort === 'asc' ? ascending : descending;
    if (returned === points.length) mergeSort(points, cmp);
    else partialQuickSort(points, cmp, 0, returned - 1);
  }
  if (returned < points.length) points.length = returned;
  return points;
}
