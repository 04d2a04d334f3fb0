// Redis glob semantics (util.c stringmatchlen), including its corner cases: unterminated classes,
// reversed ranges, escapes, nocase, binary bytes and the nesting guard.
import { describe, expect, it } from 'vitest';
import { globMatch } from '../../src/core/glob.js';

const m = (pattern: string, subject: string, nocase = false): boolean =>
  globMatch(Buffer.from(pattern, 'latin1'), Buffer.from(subject, 'latin1'), nocase);

describe('globMatch', () => {
  it.each([
    // As in C: the loop never runs on an empty subject, so even "*" fails. KEYS/SCAN special-case a lone
    // "*" (Redis's allkeys / use_pattern), which the store does too.
    ['*', '', false],
    ['*', 'anything', true],
    ['', '', true],
    ['', 'a', false],
    ['a', '', false],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h*llo', 'hllo', true],
    ['h*llo', 'heeeello', true],
    ['h*llo', 'hello!', false],
    ['h[ae]llo', 'hello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[a-b]llo', 'hcllo', false],
    ['h[b-a]llo', 'hallo', true], // reversed range is swapped
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['h[\\]]llo', 'h]llo', true],
    ['h[\\^]llo', 'h^llo', true],
    ['a*', 'a', true],
    ['a**', 'a', true],
    ['*a', 'ba', true],
    ['*a*b', 'xaxxb', true],
    ['*a*b', 'xaxxbx', false],
    ['a\\', 'a\\', true], // trailing backslash is literal
    ['[abc', 'a', true], // unterminated class matches its members...
    ['[abc', 'ab', false], // ...and then ends the pattern
    ['[a-', 'a', true],
    ['[]', 'a', false],
    ['user:*:name', 'user:1000:name', true],
    ['user:*:name', 'user:1000:names', false],
    ['?', '', false],
    ['a*?', 'a', false],
    ['a*?', 'ab', true],
  ])('%j vs %j -> %s', (pattern, subject, expected) => {
    expect(m(pattern, subject)).toBe(expected);
  });

  it('folds ASCII case only when asked', () => {
    expect(m('HELLO', 'hello')).toBe(false);
    expect(m('HELLO', 'hello', true)).toBe(true);
    expect(m('h[A-C]llo', 'hbllo', true)).toBe(true);
    expect(m('h[A-C]llo', 'hbllo', false)).toBe(false);
    expect(m('h[E]llo', 'hello', true)).toBe(true);
    expect(m('maxmemory*', 'MAXMEMORY-policy', true)).toBe(true);
    // Escapes inside a class compare exactly, even with nocase (as Redis does).
    expect(m('[\\A]', 'a', true)).toBe(false);
    // Bytes above 0x7f are not folded.
    expect(m('\xc4', '\xe4', true)).toBe(false);
  });

  it('is binary safe', () => {
    const subject = Uint8Array.from([0x00, 0xff, 0x2a, 0x0a]);
    expect(globMatch(Uint8Array.from([0x00, 0x2a]), subject)).toBe(true);
    expect(globMatch(Uint8Array.from([0x3f, 0xff, 0x5c, 0x2a, 0x3f]), subject)).toBe(true);
    expect(globMatch(Uint8Array.from([0x3f, 0xfe, 0x2a]), subject)).toBe(false);
  });

  it('stays fast and bounded on abusive patterns', () => {
    const pattern = '*a'.repeat(50) + 'b';
    const subject = 'a'.repeat(60);
    const start = performance.now();
    expect(m(pattern, subject)).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
    // Nesting deeper than Redis's limit of 1000 simply fails to match.
    expect(m('a*'.repeat(1100) + 'a', 'a'.repeat(1200))).toBe(false);
    expect(m('a*'.repeat(900), 'a'.repeat(1200))).toBe(true);
  });
});
