// dict.ts, the arena hash table under hashes, sets and sorted sets: a model check against a Map over random
// operations, growth and shrinking, values replaced in place and moved, scans that survive resizing, random
// picks, deep copies independent of their source, and every byte given back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Arena } from '../../src/core/store/arena.js';
import type { TableAccess } from '../../src/core/store/access.js';
import {
  dictClone,
  dictCount,
  dictDelete,
  dictFind,
  dictForEach,
  dictInit,
  dictRandomNode,
  dictRelease,
  dictScan,
  dictSet,
  nodeField,
  nodeValue,
} from '../../src/core/store/dict.js';
import { setup } from '../support/store-fixture.js';

const SEGMENT = 0;

/** An arena and a root placed at an odd byte offset inside a block (roots live at any offset in entries). */
function table(): { arena: Arena; root: number } {
  const { store } = setup({ segments: 1 });
  const arena = (store as unknown as { access: TableAccess }).access.arena;
  const holder = arena.alloc(SEGMENT, 4);
  const root = holder * 8 + 3;
  dictInit(arena, SEGMENT, root);
  return { arena, root };
}

function contents(arena: Arena, root: number): Map<string, string> {
  const out = new Map<string, string>();
  dictForEach(arena, root, (node) =>
    out.set(nodeField(arena, node).toString(), nodeValue(arena, node).toString()),
  );
  return out;
}

const b = (s: string): Buffer => Buffer.from(s);

describe('dict', () => {
  it('behaves as a Map under random sets and deletes, through growth and shrinking', () => {
    const op = fc.oneof(
      fc.record({ set: fc.integer({ min: 0, max: 300 }), value: fc.string({ maxLength: 40 }) }),
      fc.record({ del: fc.integer({ min: 0, max: 300 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 800 }), (ops) => {
        const { arena, root } = table();
        const model = new Map<string, string>();
        for (const o of ops) {
          if ('set' in o) {
            const field = `field:${o.set}`;
            const { created } = dictSet(arena, SEGMENT, root, b(field), b(o.value));
            expect(created).toBe(!model.has(field));
            model.set(field, o.value);
          } else {
            const field = `field:${o.del}`;
            expect(dictDelete(arena, SEGMENT, root, b(field))).toBe(model.delete(field));
          }
        }
        expect(dictCount(arena, root)).toBe(model.size);
        expect(contents(arena, root)).toEqual(model);
        for (const [field, value] of model)
          expect(nodeValue(arena, dictFind(arena, root, b(field))).toString()).toBe(value);
        expect(dictFind(arena, root, b('absent'))).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('gives back every byte it took: release after growth, and a table emptied by deletes', () => {
    const { arena, root } = table();
    const baseline = arena.usedBytes(SEGMENT);
    for (let i = 0; i < 5000; i++) dictSet(arena, SEGMENT, root, b(`f${i}`), b(`value ${i}`));
    for (let i = 0; i < 5000; i++) dictDelete(arena, SEGMENT, root, b(`f${i}`));
    expect(arena.usedBytes(SEGMENT)).toBe(baseline); // shrunk back to its first bucket array
    for (let i = 0; i < 5000; i++) dictSet(arena, SEGMENT, root, b(`f${i}`), b(`value ${i}`));
    dictRelease(arena, SEGMENT, root);
    dictInit(arena, SEGMENT, root);
    expect(arena.usedBytes(SEGMENT)).toBe(baseline);
  });

  it('a scan returns every field present throughout, even as the table grows between steps', () => {
    const { arena, root } = table();
    for (let i = 0; i < 100; i++) dictSet(arena, SEGMENT, root, b(`old${i}`), b('v'));
    const seen = new Set<string>();
    let cursor = 0;
    let added = 0;
    do {
      const nodes: number[] = [];
      cursor = dictScan(arena, root, cursor, 10, nodes);
      for (const node of nodes) seen.add(nodeField(arena, node).toString());
      for (let i = 0; i < 50; i++) dictSet(arena, SEGMENT, root, b(`new${added++}`), b('v'));
    } while (cursor !== 0);
    for (let i = 0; i < 100; i++) expect(seen.has(`old${i}`)).toBe(true);
  });

  it('random nodes come from the table and reach every field', () => {
    const { arena, root } = table();
    expect(dictRandomNode(arena, root, Math.random)).toBe(0);
    for (let i = 0; i < 20; i++) dictSet(arena, SEGMENT, root, b(`f${i}`), b(''));
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++)
      seen.add(nodeField(arena, dictRandomNode(arena, root, Math.random)).toString());
    expect(seen.size).toBe(20);
  });

  it('a clone is a deep copy: the source can change or go and the copy stays', () => {
    const { arena, root } = table();
    for (let i = 0; i < 1000; i++) dictSet(arena, SEGMENT, root, b(`f${i}`), b(`v${i}`));
    const expected = contents(arena, root);
    const holder = arena.alloc(SEGMENT, 4);
    const copy = holder * 8 + 1;
    arena.u8.copyWithin(copy, root, root + 16);
    dictClone(arena, SEGMENT, copy);
    dictSet(arena, SEGMENT, root, b('f1'), b('changed'));
    dictDelete(arena, SEGMENT, root, b('f2'));
    expect(contents(arena, copy)).toEqual(expected);
    dictRelease(arena, SEGMENT, root);
    expect(contents(arena, copy)).toEqual(expected);
    expect(nodeValue(arena, dictFind(arena, copy, b('f999'))).toString()).toBe('v999');
  });
});
