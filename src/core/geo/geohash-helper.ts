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
import { trig } from './trig.js';

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
 * geohashGetDistance: the haversine great-circle distance in metres. cosLat1 and cosLat2, when given, are
 * cos(lat1d) and cos(lat2d) in radians, computed once by a caller that needs them again (the same numbers).
 */
export function geoDistance(
  lon1d: number,
  lat1d: number,
  lon2d: number,
  lat2d: number,
  cosLat1?: number,
  cosLat2?: number,
): number {
  const t = trig();
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

/**
 * Whether the point (x2, y2) is inside a shape (geohashGetDistanceIfInRadiusWGS84 and
 * geohashGetDistanceIfInRectangle): its distance from the centre in metres, or null outside. Made once per
 * search, with the centre's cosine computed once.
 */
export function shapeTest(shape: GeoShape): (x2: number, y2: number) => number | null {
  const [x1, y1] = shape.xy;
  const cosY1 = trig().cos(degRad(y1));
  if (shape.type === 'circle') {
    const radius = shape.radius * shape.conversion;
    return (x2, y2) => {
      const distance = geoDistance(x1, y1, x2, y2, cosY1);
      return distance > radius ? null : distance;
    };
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  return (x2, y2) => {
    if (latDistance(y2, y1) > heightM / 2) return null;
    const cosY2 = trig().cos(degRad(y2));
    if (geoDistance(x2, y2, x1, y2, cosY2, cosY2) > widthM / 2) return null;
    return geoDistance(x1, y1, x2, y2, cosY1, cosY2);
  };
}
