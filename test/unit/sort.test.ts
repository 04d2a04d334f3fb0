// SORT's pure parts: the argument parse and its errors (sort/request.ts), where its keys are (sortGetKeys) and
// when its patterns make it lock every segment, what a BY/GET pattern names (lookupKeyByPattern), LIMIT's
// clamping, the numeric weight as strtod reads it, and the comparison (sortCompare).
import { describe, expect, it } from 'vitest';
import { ALL_COMMANDS } from '../../src/core/commands/table.js';
import { commandKeys } from '../../src/core/key-specs.js';
import {
  compareBinary,
  compareCString,
  limitRange,
  numericWeight,
  patternTarget,
  sortComparator,
  type SortItem,
} from '../../src/core/sort/order.js';
import { parseSortRequest, readsUnnamedKeys, sortKeyPositions } from '../../src/core/sort/request.js';
import { keysOfCommand } from '../../src/core/transaction.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const line = (...args: string[]): Buffer[] => args.map(b);
const spec = (name: string) => ALL_COMMANDS.find((c) => c.name === name)!;

describe('SORT arguments', () => {
  it('reads every option, later ones overriding, a constant BY meaning no sort for good', () => {
    const r = parseSortRequest(
      line(
        'SORT',
        'k',
        'by',
        'w_*',
        'LIMIT',
        '1',
        '-2',
        'get',
        '#',
        'GET',
        'x_*',
        'DESC',
        'alpha',
        'ASC',
        'STORE',
        'a',
        'store',
        'd',
        'BY',
        'nosort',
        'BY',
        'v_*',
      ),
      false,
    );
    expect(r).toMatchObject({ desc: false, alpha: true, dontsort: true, limitStart: 1, limitCount: -2 });
    expect(r.by).toEqual(b('v_*'));
    expect(r.gets).toEqual([b('#'), b('x_*')]);
    expect(r.store).toEqual(b('d'));
  });

  it("answers Redis's errors: a bad LIMIT number, a short option, STORE in SORT_RO", () => {
    expect(() => parseSortRequest(line('SORT', 'k', 'LIMIT', 'x', '1'), false)).toThrow(
      'ERR value is not an integer or out of range',
    );
    expect(() => parseSortRequest(line('SORT', 'k', 'LIMIT', '0'), false)).toThrow('ERR syntax error');
    expect(() => parseSortRequest(line('SORT', 'k', 'GET'), false)).toThrow('ERR syntax error');
    expect(() => parseSortRequest(line('SORT_RO', 'k', 'STORE', 'd'), true)).toThrow('ERR syntax error');
    expect(parseSortRequest(line('SORT', 'k', 'STORE', 'd'), false).store).toEqual(b('d'));
  });

  it('finds the key and the last STORE destination as sortGetKeys does, skipping option arguments', () => {
    expect(sortKeyPositions(line('SORT', 'k', 'STORE', 'a', 'LIMIT', '0', '1', 'store', 'b'))).toEqual([
      { position: 1, spec: 0 },
      { position: 8, spec: 2 },
    ]);
    // GET's argument is skipped even when it reads STORE.
    expect(sortKeyPositions(line('SORT', 'k', 'GET', 'STORE', 'x'))).toEqual([{ position: 1, spec: 0 }]);
    expect(commandKeys(spec('sort'), line('SORT', 'k', 'BY', 'w', 'STORE', 'd'))).toEqual(line('k', 'd'));
    expect(commandKeys(spec('sort_ro'), line('SORT_RO', 'k', 'BY', 'w'))).toEqual(line('k'));
  });

  it('locks every segment only when a BY or GET pattern names keys from the elements', () => {
    expect(readsUnnamedKeys(line('SORT', 'k', 'BY', 'w_*'))).toBe(true);
    expect(readsUnnamedKeys(line('SORT', 'k', 'get', 'h_*->f'))).toBe(true);
    expect(readsUnnamedKeys(line('SORT', 'k', 'BY', 'nosort', 'GET', '#', 'STORE', 'd'))).toBe(false);
    expect(keysOfCommand(spec('sort'), line('SORT', 'k', 'GET', 'x*', 'STORE', 'd'))).toBeNull();
    expect(keysOfCommand(spec('sort_ro'), line('SORT_RO', 'k', 'BY', 'x*'))).toBeNull();
    expect(keysOfCommand(spec('sort'), line('SORT', 'k', 'STORE', 'd'))).toEqual(line('k', 'd'));
  });
});

describe('SORT patterns', () => {
  it('replaces the first * with the element, and splits a hash field after it', () => {
    expect(patternTarget(b('#'), b('e'))).toEqual({ kind: 'self' });
    expect(patternTarget(b('w_*'), b('e'))).toEqual({ kind: 'key', key: b('w_e') });
    expect(patternTarget(b('p*s*'), b('e'))).toEqual({ kind: 'key', key: b('pes*') });
    expect(patternTarget(b('h_*->f'), b('e'))).toEqual({ kind: 'field', key: b('h_e'), field: b('f') });
    // An arrow with nothing after it, or before the *, is part of the key name.
    expect(patternTarget(b('h_*->'), b('e'))).toEqual({ kind: 'key', key: b('h_e->') });
    expect(patternTarget(b('a->b*'), b('e'))).toEqual({ kind: 'key', key: b('a->be') });
    expect(patternTarget(b('fixed'), b('e'))).toBeNull();
    // C's strchr stops at a NUL: a * after one is not seen.
    expect(patternTarget(Buffer.from([0x61, 0, 0x2a]), b('e'))).toBeNull();
  });
});

describe('SORT LIMIT and weights', () => {
  it('clamps LIMIT to the vector as sortCommandGeneric does', () => {
    expect(limitRange(5, 0, -1)).toEqual({ start: 0, end: 4 });
    expect(limitRange(5, -3, 2)).toEqual({ start: 0, end: 1 });
    expect(limitRange(5, 3, 100)).toEqual({ start: 3, end: 4 });
    expect(limitRange(5, 9, 1)).toEqual({ start: 4, end: 3 });
    expect(limitRange(5, 1, 0)).toEqual({ start: 1, end: 0 });
    expect(limitRange(0, 0, -1)).toEqual({ start: -1, end: -2 });
  });

  it('reads a weight as strtod: leading space, exponents and the empty string are numbers', () => {
    expect(numericWeight(b(' 4'))).toBe(4);
    expect(numericWeight(b('1e3'))).toBe(1000);
    expect(numericWeight(b(''))).toBe(0);
    expect(numericWeight(b('0x10'))).toBe(16);
    expect(numericWeight(Buffer.from([0x31, 0, 0x78]))).toBe(1); // the C string ends at the NUL
    expect(numericWeight(b('4 '))).toBeNull();
    expect(numericWeight(b('nan'))).toBeNull();
    expect(numericWeight(b('1e400'))).toBeNull();
    expect(numericWeight(b('abc'))).toBeNull();
  });
});

describe('SORT comparison', () => {
  const item = (element: string, score = 0, cmp: string | null = null): SortItem => ({
    element: b(element),
    score,
    cmp: cmp === null ? null : b(cmp),
  });
  const sorted = (items: SortItem[], options: Parameters<typeof sortComparator>[0]): string[] =>
    items.sort(sortComparator(options)).map((i) => i.element.toString('latin1'));
  const plain = { desc: false, alpha: false, byPattern: false, store: false };

  it('sorts numerically, equal scores by the elements’ bytes, DESC reversing both', () => {
    const items = () => [item('b', 1), item('a', 1), item('c', -1)];
    expect(sorted(items(), plain)).toEqual(['c', 'a', 'b']);
    expect(sorted(items(), { ...plain, desc: true })).toEqual(['b', 'a', 'c']);
  });

  it('sorts ALPHA by BY values with a missing one first, or by the elements', () => {
    const items = () => [item('x', 0, 'b'), item('y', 0, null), item('z', 0, 'a')];
    expect(sorted(items(), { ...plain, alpha: true, byPattern: true })).toEqual(['y', 'z', 'x']);
    expect(sorted([item('b'), item('B'), item('a')], { ...plain, alpha: true })).toEqual(['B', 'a', 'b']);
  });

  it('compares as strcmp without STORE (up to a NUL) and as memcmp with it', () => {
    const x = Buffer.from([0x61, 0, 0x62]);
    const y = Buffer.from([0x61, 0, 0x63]);
    expect(compareCString(x, y)).toBe(0);
    expect(compareBinary(x, y)).toBeLessThan(0);
    expect(compareBinary(b('ab'), b('abc'))).toBeLessThan(0);
  });
});
