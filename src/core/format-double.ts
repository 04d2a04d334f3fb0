// A double as Redis 7.0 writes it in a reply (networking.c addReplyDouble): C's printf "%.17g" as glibc prints
// it, from the double's exact binary value, rounded half to even, and "inf" / "-inf" spelled out. JavaScript's
// toPrecision rounds exact ties up instead, so the digits are worked out here with BigInt. Pure; no I/O.

const PRECISION = 17;

/** printf("%.17g", d), except infinities as Redis spells them ("inf", "-inf"). */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return signBit(d) ? '-nan' : 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const sign = d < 0 ? '-' : '';
  const exact = exactDecimal(Math.abs(d));
  let digits = exact.digits;
  // value = 0.<digits> x 10^point, so the first digit's power of ten is point - 1.
  let exponent = exact.point - 1;
  if (digits.length > PRECISION) {
    const kept = digits.slice(0, PRECISION);
    const rest = digits.slice(PRECISION);
    const up =
      rest[0] > '5' ||
      (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(kept[PRECISION - 1]) % 2 === 1));
    digits = up ? (BigInt(kept) + 1n).toString() : kept;
    if (digits.length > PRECISION) {
      digits = digits.slice(0, PRECISION); // 99...9 rounded up to 100...0
      exponent++;
    }
  }
  digits = digits.replace(/0+$/, '');
  if (exponent < -4 || exponent >= PRECISION) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const power = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${power}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return fraction === '' ? `${sign}${whole}` : `${sign}${whole}.${fraction}`;
}

/**
 * printf("%.<decimals>f", d) as glibc prints it: from the double's exact binary value, rounded half to even
 * (toFixed rounds exact ties up: 0.125 is "0.13" there and "0.12" in C). Finite, non-negative d only.
 */
export function formatFixed(d: number, decimals: number): string {
  if (d === 0) return decimals === 0 ? '0' : `0.${'0'.repeat(decimals)}`;
  const { digits, point } = exactDecimal(d);
  // Scaled by 10^decimals: an integer part and the digits beyond it.
  const cut = point + decimals;
  let whole = cut <= 0 ? 0n : BigInt(digits.slice(0, cut).padEnd(cut, '0'));
  const rest = cut >= 0 ? digits.slice(cut) : '0'.repeat(-cut) + digits;
  // Round half to even.
  const up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || whole % 2n === 1n));
  if (up) whole += 1n;
  const text = whole.toString().padStart(decimals + 1, '0');
  return decimals === 0 ? text : `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
}

/** The exact decimal value of a finite positive double: 0.<digits> x 10^point, digits without leading zeros. */
function exactDecimal(d: number): { digits: string; point: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // value = mantissa x 2^power (subnormals have no implicit leading bit).
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = biased === 0 ? -1074 : biased - 1075;
  if (power >= 0) {
    const digits = (mantissa << BigInt(power)).toString();
    return { digits, point: digits.length };
  }
  // m / 2^k = m * 5^k / 10^k: exact, as a string of digits with the point k places from the right.
  const digits = (mantissa * 5n ** BigInt(-power)).toString();
  return { digits, point: digits.length + power };
}

function signBit(d: number): boolean {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  return view.getUint8(0) >= 0x80;
}
