// The geometry of a GEO search (Redis 7.0's geohash_helper.c): the haversine distance on a sphere of the Earth's
// quadratic mean radius, the box that bounds a circle or a rectangle, the geohash precision (step) that makes
// nine cells (the centre's and its eight neighbours) cover it, and which of the nine can be skipped. Every
// expression keeps Redis's operand order, so the doubles come out as Redis's; sin, cos and asin are libm's where
// the native helper is built (trig.ts). Pure but for that choice: numbers in, numbers out.

import {
  geohashDecode,
  geohashEncode,
  geohashNeighbors,
  LAT_RANGE,
  LONG_RANGE,
  ZERO_HASH,
  type GeoHashArea,
  type GeoHashBits,
  type GeoHashNeighbors,
} from './geohash.js';
import { trig, V8_TRIG, type Trig } from './trig.js';

const D_R = Math.PI / 180.0;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

const degRad = (ang: number): number => ang * D_R;
const radDeg = (ang: number): number => ang / D_R;

/** A search area: a circle of `radius` or a `width` x `height` box, in units of `conversion` metres each. */
export type GeoShape =
  | {
      readonly type: 'circle';
      readonly xy: readonly [number, number];
      readonly conversion: number;
      readonly radius: number;
    }
  | {
      readonly type: 'box';
      readonly xy: readonly [number, number];
      readonly conversion: number;
      readonly width: number;
      readonly height: number;
    };

/** geohashEstimateStepsByRadius: the cell precision for a search of this radius at this latitude. */
export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [min longitude, min latitude, max longitude, max latitude] of the shape. */
export function boundingBox(shape: GeoShape): [number, number, number, number] {
  const [longitude, latitude] = shape.xy;
  const height = shape.conversion * (shape.type === 'circle' ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.type === 'circle' ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const { cos } = trig();
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(latitude - latDelta)));
  const southern = latitude < 0;
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

/** The centre's cell and its neighbours to search (a zero hash: skipped). */
export interface GeoHashRadius {
  readonly hash: GeoHashBits;
  readonly neighbors: GeoHashNeighbors;
}

/** geohashCalculateAreasByShapeWGS84. */
export function areasByShape(shape: GeoShape): GeoHashRadius {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const [longitude, latitude] = shape.xy;
  let radiusMeters =
    shape.type === 'circle'
      ? shape.radius
      : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;

  let steps = estimateStepsByRadius(radiusMeters, latitude);
  // The centre is a valid point (checked or decoded), so these encodings and decodings succeed.
  let hash = geohashEncode(LONG_RANGE, LAT_RANGE, longitude, latitude, steps) as GeoHashBits;
  let neighbors = geohashNeighbors(hash);
  let area = geohashDecode(LONG_RANGE, LAT_RANGE, hash) as GeoHashArea;

  // Near the edge of its cell the estimated step may leave part of the area outside the nine cells.
  const decode = (h: GeoHashBits): GeoHashArea => geohashDecode(LONG_RANGE, LAT_RANGE, h) as GeoHashArea;
  const north = decode(neighbors.north);
  const south = decode(neighbors.south);
  const east = decode(neighbors.east);
  const west = decode(neighbors.west);
  const decreaseStep =
    north.latitude.max < maxLat ||
    south.latitude.min > minLat ||
    east.longitude.max < maxLon ||
    west.longitude.min > minLon;

  if (steps > 1 && decreaseStep) {
    steps--;
    hash = geohashEncode(LONG_RANGE, LAT_RANGE, longitude, latitude, steps) as GeoHashBits;
    neighbors = geohashNeighbors(hash);
    area = geohashDecode(LONG_RANGE, LAT_RANGE, hash) as GeoHashArea;
  }

  // Cells wholly outside the bounding box are not searched.
  if (steps >= 2) {
    if (area.latitude.min < minLat) {
      neighbors.south = ZERO_HASH;
      neighbors.south_west = ZERO_HASH;
      neighbors.south_east = ZERO_HASH;
    }
    if (area.latitude.max > maxLat) {
      neighbors.north = ZERO_HASH;
      neighbors.north_east = ZERO_HASH;
      neighbors.north_west = ZERO_HASH;
    }
    if (area.longitude.min < minLon) {
      neighbors.west = ZERO_HASH;
      neighbors.south_west = ZERO_HASH;
      neighbors.north_west = ZERO_HASH;
    }
    if (area.longitude.max > maxLon) {
      neighbors.east = ZERO_HASH;
      neighbors.south_east = ZERO_HASH;
      neighbors.north_east = ZERO_HASH;
    }
  }
  return { hash, neighbors };
}

/** geohashGetLatDistance: the distance along a meridian. */
export function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/**
 * geohashGetDistance: the haversine great-circle distance in metres, with the trig functions `t`. cosLat1 and
 * cosLat2, when given, are t.cos of the latitudes in radians, computed once by a caller that needs them again.
 */
export function geoDistanceWith(
  t: Trig,
  lon1d: number,
  lat1d: number,
  lon2d: number,
  lat2d: number,
  cosLat1?: number,
  cosLat2?: number,
): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = t.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  // Along a parallel (BYBOX's width test) the latitudes are equal and sin(0) is 0.
  const u = lat1r === lat2r ? 0 : t.sin((lat2r - lat1r) / 2);
  const a = u * u + (cosLat1 ?? t.cos(lat1r)) * (cosLat2 ?? t.cos(lat2r)) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * t.asin(Math.sqrt(a));
}

/** geohashGetDistance with this thread's trig functions (GEODIST). */
export function geoDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  return geoDistanceWith(trig(), lon1d, lat1d, lon2d, lat2d);
}

/**
 * How far V8's distance may be from libm's, relative, and still decide "outside" for it. Each of sin, cos and
 * asin is within an ulp of the true value in both; the formula's only ill-conditioned step, asin near 1 (nearly
 * antipodal points), turns 1e-15 into about 3e-8. A NaN never decides.
 */
const V8_MARGIN = 1e-6;

/**
 * Whether the point at[0], at[1] (longitude, latitude) is inside a shape (geohashGetDistanceIfInRadiusWGS84 and
 * geohashGetDistanceIfInRectangle); if so its distance from the centre in metres is left in at[2]. Made once per
 * search. With libm's functions installed, a point is first measured with V8's (a native call costs ~80 ns,
 * four of them per point) and dropped when that is clearly outside; only the points that are in, or too close to
 * tell, are measured with libm's, whose distance decides and is the one kept, as Redis's.
 */
export function shapeTest(shape: GeoShape): (at: Float64Array) => boolean {
  const [x1, y1] = shape.xy;
  const exact = trig();
  const prefilter = exact !== V8_TRIG;
  const cosY1 = exact.cos(degRad(y1));
  const cosY1Fast = Math.cos(degRad(y1));
  const clearlyBeyond = (approximate: number, limit: number): boolean =>
    approximate > limit * (1 + V8_MARGIN) + 1e-9;
  if (shape.type === 'circle') {
    const radius = shape.radius * shape.conversion;
    return (at) => {
      const x2 = at[0];
      const y2 = at[1];
      // A great circle is never shorter than the difference in latitude (hav(d) >= hav(dlat)): no trig needed.
      if (clearlyBeyond(latDistance(y1, y2), radius)) return false;
      if (prefilter && clearlyBeyond(geoDistanceWith(V8_TRIG, x1, y1, x2, y2, cosY1Fast), radius))
        return false;
      at[2] = geoDistanceWith(exact, x1, y1, x2, y2, cosY1);
      return !(at[2] > radius);
    };
  }
  const halfWidth = (shape.width * shape.conversion) / 2;
  const halfHeight = (shape.height * shape.conversion) / 2;
  return (at) => {
    const x2 = at[0];
    const y2 = at[1];
    if (latDistance(y2, y1) > halfHeight) return false;
    const y2r = degRad(y2);
    if (prefilter) {
      const cosY2Fast = Math.cos(y2r);
      if (clearlyBeyond(geoDistanceWith(V8_TRIG, x2, y2, x1, y2, cosY2Fast, cosY2Fast), halfWidth))
        return false;
    }
    const cosY2 = exact.cos(y2r);
    if (geoDistanceWith(exact, x2, y2, x1, y2, cosY2, cosY2) > halfWidth) return false;
    at[2] = geoDistanceWith(exact, x1, y1, x2, y2, cosY1, cosY2);
    return true;
  };
}
