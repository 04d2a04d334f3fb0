// C strtod as the sorted set commands read scores (src/core/strtod.ts): the longest numeric prefix and its end,
// glibc's grammar (white space, sign, inf/infinity/nan, hex floats), ERANGE as Redis tests it, and the decimal
// fast path agreeing with JavaScript's correctly rounded Number() on every short decimal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { strtod } from '../../src/core/strtod.js';

const read = (text: string) => strtod(Buffer.from(text, 'latin1'));

describe('strtod', () => {
  it('reads the longest numeric prefix and says where it ends', () => {
    expect(read('1.5')).toEqual({ value: 1.5, end: 3, rangeError: false });
    expect(read('  -2x')).toEqual({ value: -2, end: 4, rangeError: false });
    expect(read('1e')).toMatchObject({ value: 1, end: 1 });
    expect(read('1e+5')).toMatchObject({ value: 1e5, end: 4 });
    expect(read('+.5')).toMatchObject({ value: 0.5, end: 3 });
    expect(read('5.')).toMatchObject({ value: 5, end: 2 });
    expect(read('.')).toMatchObject({ value: 0, end: 0 });
    expect(read('-')).toMatchObject({ value: 0, end: 0 });
    expect(read('abc')).toMatchObject({ value: 0, end: 0 });
    expect(Object.is(read('-0').value, -0)).toBe(true);
  });

  it('reads infinities, NaN and hexadecimal floats as glibc does', () => {
    expect(read('inf')).toMatchObject({ value: Infinity, end: 3 });
    expect(read('-Infinity')).toMatchObject({ value: -Infinity, end: 9 });
    expect(read('+INF')).toMatchObject({ value: Infinity, end: 4 });
    expect(Number.isNaN(read('nan').value)).toBe(true);
    expect(read('0x10')).toMatchObject({ value: 16, end: 4 });
    expect(read('0x1.8p1')).toMatchObject({ value: 3, end: 7 });
    expect(read('0x')).toMatchObject({ value: 0, end: 1 });
  });

  it('reports ERANGE for an overflow and for non-zero text that rounds to zero, not for a subnormal', () => {
    expect(read('1e400')).toMatchObject({ value: Infinity, rangeError: true });
    expect(read('-1e400')).toMatchObject({ value: -Infinity, rangeError: true });
    expect(read('1e-400')).toMatchObject({ value: 0, rangeError: true });
    expect(read('0e-400').rangeError).toBe(false);
    expect(read('4.9e-324')).toMatchObject({ value: 5e-324, rangeError: false });
  });

  it('rounds every short decimal as Number() does (the fast path)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{1,10}$/),
        fc.option(fc.stringMatching(/^[0-9]{0,10}$/)),
        (negative, whole, fraction) => {
          const text = `${negative ? '-' : ''}${whole}${fraction === null ? '' : `.${fraction}`}`;
          const { value, end } = read(text);
          expect(end).toBe(text.length);
          expect(Object.is(value, Number(text))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
