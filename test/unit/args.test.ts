// Argument grammar shared by every command: Redis's float rules (strtold) as INCRBYFLOAT applies them.

import { describe, expect, it } from 'vitest';
import { toFloat } from '../../src/core/args.js';
import { CommandError } from '../../src/core/errors.js';

const f = (s: string): number => toFloat(Buffer.from(s, 'latin1'));

describe('toFloat', () => {
  it('reads decimal, exponent and infinity forms', () => {
    expect(f('1.5')).toBe(1.5);
    expect(f('-.5e1')).toBe(-5);
    expect(f('3.')).toBe(3);
    expect(f('inf')).toBe(Infinity);
    expect(f('-Infinity')).toBe(-Infinity);
  });

  it('reads C99 hexadecimal floats, as strtold does', () => {
    expect(f('0x10')).toBe(16);
    expect(f('0X1A')).toBe(26);
    expect(f('0x1p-1')).toBe(0.5);
    expect(f('-0x1.8P3')).toBe(-12);
    expect(f('0x.8')).toBe(0.5);
  });

  it('refuses spaces, garbage, NaN and empty hex', () => {
    for (const bad of [' 1', '1 ', '', 'nan', '1e', '0x', '0x.', '0x1g', '0x1p', '1.2.3', '+-1']) {
      expect(() => f(bad), bad).toThrow(CommandError);
    }
  });
});
