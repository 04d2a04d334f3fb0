// How Redis 7.0 writes GEO numbers as text: a distance with 4 decimals (util.c fixedpoint_d2string, rounded by
// llrint, half to even), a coordinate as ld2string's LD_STR_HUMAN ("%.17Lf" of the double, trailing zeros and
// dot removed, "-0" as "0"), and a coordinate in an error line as "%f". Pure: numbers in, strings out.

import { formatFixed } from '../format-double.js';

/** llrint(x) of a finite x below 2^63 in magnitude: round half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds halves up; a half below an odd integer goes down to the even one.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** fixedpoint_d2string(d, 4): GEODIST's and WITHDIST's text. */
export function distanceText(d: number): string {
  if (d === 0) return '0.0000';
  const scaled = d * 10000.0;
  // llrint of NaN or of a value out of the long long range is LLONG_MIN on x86-64, which prints as this.
  if (!(Math.abs(scaled) < 2 ** 63)) return '-922337203685477.5808';
  const n = roundHalfEven(scaled);
  const negative = n < 0;
  const magnitude = Math.abs(n);
  const digits = (magnitude < 1e21 ? String(magnitude) : BigInt(magnitude).toString()).padStart(5, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

const signBit = (d: number): boolean => d < 0 || Object.is(d, -0);

/** ld2string(LD_STR_HUMAN) of a double (addReplyHumanLongDouble): GEOPOS's and WITHCOORD's text. */
export function humanText(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  let text = formatFixed(Math.abs(d), 17).replace(/0+$/, '').replace(/\.$/, '');
  if (signBit(d)) text = `-${text}`;
  return text === '-0' ? '0' : text;
}

/** printf("%f", d): a coordinate in "invalid longitude,latitude pair". */
export function percentF(d: number): string {
  if (Number.isNaN(d)) return signBit(d) ? '-nan' : 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  return `${signBit(d) ? '-' : ''}${formatFixed(Math.abs(d), 6)}`;
}
