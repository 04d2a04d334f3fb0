// Argument grammar shared by every command: Redis's float rules (string2ld over strtold) as INCRBYFLOAT applies
// them. The long double itself is tested in long-double.test.ts.

import { describe, expect, it } from 'vitest';
import { toLongDouble } from '../../src/core/args.js';
import { CommandError } from '../../src/core/errors.js';
import { ld2stringHuman } from '../../src/core/long-double/redis-text.js';

const f = (s: string): string => ld2stringHuman(toLongDouble(Buffer.from(s, 'latin1')));

describe('toLongDouble', () => {
  it('reads decimal, exponent and infinity forms', () => {
    expect(f('1.5')).toBe('1.5');
    expect(f('-.5e1')).toBe('-5');
    expect(f('3.')).toBe('3');
    expect(f('inf')).toBe('inf');
    expect(f('-Infinity')).toBe('-inf');
    expect(f('1e309')).toHaveLength(309); // beyond a double, well inside a long double
  });

  it('reads C99 hexadecimal floats, as strtold does', () => {
    expect(f('0x10')).toBe('16');
    expect(f('0X1A')).toBe('26');
    expect(f('0x1p-1')).toBe('0.5');
    expect(f('-0x1.8P3')).toBe('-12');
    expect(f('0x.8')).toBe('0.5');
  });

  it('refuses spaces, garbage, NaN, empty hex, overflow and underflow to zero', () => {
    for (const bad of [
      ' 1',
      '1 ',
      '',
      'nan',
      '1e',
      '0x',
      '0x.',
      '0x1g',
      '0x1p',
      '1.2.3',
      '+-1',
      '1e5000',
      '1e-5000',
    ]) {
      expect(() => f(bad), bad).toThrow(CommandError);
    }
  });

  it('throws the message it is given', () => {
    expect(() => toLongDouble(Buffer.from('x'), 'ERR custom')).toThrow('ERR custom');
  });
});
