// The one reader of SCAN, SSCAN, HSCAN and ZSCAN's cursor and options (src/core/commands/scan-args.ts): what
// each option becomes, the COUNT cap, and which words are errors. Redis's replies for the same words are
// compared byte for byte in test/conformance/scan-differential.test.ts.

import { describe, expect, it } from 'vitest';
import { CommandError } from '../../src/core/errors.js';
import {
  MAX_SCAN_COUNT,
  parseCursor,
  parseScanOptions,
  scanOptionsOrError,
} from '../../src/core/commands/scan-args.js';

const argv = (...words: string[]): Buffer[] => ['SCAN', '0', ...words].map((w) => Buffer.from(w));
const options = (...words: string[]) => parseScanOptions(argv(...words), 2, true);

describe('scan options', () => {
  it('defaults to COUNT 10, no MATCH, no TYPE', () => {
    expect(options()).toEqual({ count: 10, match: undefined, type: undefined });
  });

  it('keeps the last of a repeated option, and reads "*" as no MATCH', () => {
    expect(options('count', '5', 'COUNT', '7', 'MATCH', 'a*', 'TYPE', 'list', 'type', 'hash')).toEqual({
      count: 7,
      match: Buffer.from('a*'),
      type: 'hash',
    });
    expect(options('MATCH', 'a*', 'MATCH', '*').match).toBeUndefined();
  });

  it('caps COUNT at one value for every command, however large the long', () => {
    expect(options('COUNT', String(MAX_SCAN_COUNT)).count).toBe(MAX_SCAN_COUNT);
    expect(options('COUNT', '2147483648').count).toBe(MAX_SCAN_COUNT);
    expect(options('COUNT', '9223372036854775807').count).toBe(MAX_SCAN_COUNT);
  });

  it('refuses COUNT below 1, a non-long COUNT, a missing value, an unknown option, TYPE outside SCAN', () => {
    const message = (run: () => unknown): string => {
      try {
        run();
      } catch (e) {
        if (e instanceof CommandError) return e.message;
      }
      return 'no error';
    };
    expect(message(() => options('COUNT', '0'))).toBe('ERR syntax error');
    expect(message(() => options('COUNT', '-1'))).toBe('ERR syntax error');
    expect(message(() => options('COUNT', '9223372036854775808'))).toBe(
      'ERR value is not an integer or out of range',
    );
    expect(message(() => options('COUNT'))).toBe('ERR syntax error');
    expect(message(() => options('COUNT', '5', 'MATCH'))).toBe('ERR syntax error');
    expect(message(() => options('FOO', 'bar'))).toBe('ERR syntax error');
    expect(message(() => parseScanOptions(argv('TYPE', 'set'), 2, false))).toBe('ERR syntax error');
  });

  it('hands a bad option back, for SSCAN and HSCAN to throw once they found their key', () => {
    const failed = scanOptionsOrError(argv('COUNT', '0'), 2);
    expect(failed).toBeInstanceOf(CommandError);
    expect(scanOptionsOrError(argv('COUNT', '3'), 2)).toEqual({
      count: 3,
      match: undefined,
      type: undefined,
    });
  });
});

describe('scan cursor', () => {
  it('is an unsigned 64-bit decimal, returned canonical', () => {
    expect(parseCursor(Buffer.from('+007'))).toBe('7');
    expect(parseCursor(Buffer.from('18446744073709551615'))).toBe('18446744073709551615');
    for (const bad of ['18446744073709551616', '-1', '', ' 0', 'x']) {
      expect(() => parseCursor(Buffer.from(bad)), bad).toThrow('ERR invalid cursor');
    }
  });
});
