// The list commands' part of the differential test's random commands (differential.test.ts): every list
// command with arguments that collide on a few keys and elements, reach the ends and the edges of the index
// and count arguments, and hit each error in Redis's order. Elements repeat (LREM, LPOS, LINSERT find them).

import fc from 'fast-check';
import type { Arg } from '../support/live-harness.js';

type Argv = Arg[];

const listKey = fc.constantFrom<Arg>('a', 'b', 'c', 'l');
const element = fc.oneof(
  fc.constantFrom<Arg>('x', 'y', 'z', '', '1', '-1', '01', 'x'),
  fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b)),
);
const elements = fc.array(element, { minLength: 1, maxLength: 5 });
const listIndex = fc.constantFrom<Arg>(
  '0',
  '1',
  '2',
  '-1',
  '-2',
  '3',
  '-4',
  '10',
  '-100',
  'x',
  '1.5',
  '9223372036854775807',
  '-9223372036854775808',
);
const countArg = fc.constantFrom<Arg>('0', '1', '2', '3', '10', '-1', 'x', '9223372036854775807');
const side = fc.constantFrom<Arg>('LEFT', 'RIGHT', 'left', 'right', 'UP');
const lposOption = fc.oneof(
  fc.tuple(
    fc.constantFrom('RANK', 'rank'),
    fc.constantFrom<Arg>('1', '2', '-1', '-2', '0', 'x', '-9223372036854775808'),
  ),
  fc.tuple(fc.constantFrom('COUNT', 'count'), fc.constantFrom<Arg>('0', '1', '2', '-1', 'x')),
  fc.tuple(fc.constantFrom('MAXLEN', 'maxlen'), fc.constantFrom<Arg>('0', '1', '3', '-1', 'x')),
  fc.constantFrom<Argv>(['BOGUS'], ['RANK']),
);

export const listCommand: fc.Arbitrary<Argv> = fc.oneof(
  fc
    .tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX', 'RPUSH'), listKey, elements)
    .map(([c, k, es]): Argv => [c, k, ...es]),
  fc
    .tuple(fc.constantFrom('LPOP', 'RPOP'), listKey, fc.option(countArg))
    .map(([c, k, n]): Argv => [c, k, ...(n === null ? [] : [n])]),
  fc.tuple(fc.constantFrom('LLEN', 'LPOP', 'RPOP'), listKey).map((t): Argv => t),
  fc.tuple(listKey, listIndex, listIndex).map(([k, s, e]): Argv => ['LRANGE', k, s, e]),
  listKey.map((k): Argv => ['LRANGE', k, '0', '-1']),
  fc.tuple(listKey, listIndex, listIndex).map(([k, s, e]): Argv => ['LTRIM', k, s, e]),
  fc.tuple(listKey, listIndex).map(([k, i]): Argv => ['LINDEX', k, i]),
  fc.tuple(listKey, listIndex, element).map(([k, i, v]): Argv => ['LSET', k, i, v]),
  fc
    .tuple(listKey, fc.constantFrom<Arg>('BEFORE', 'AFTER', 'after', 'AROUND'), element, element)
    .map(([k, w, p, v]): Argv => ['LINSERT', k, w, p, v]),
  fc.tuple(listKey, countArg, element).map(([k, n, v]): Argv => ['LREM', k, n, v]),
  fc.tuple(listKey, fc.constantFrom<Arg>('-1', '-2', '0')).map(([k, n]): Argv => ['LREM', k, n, 'x']),
  fc
    .tuple(listKey, element, fc.array(lposOption, { maxLength: 3 }))
    .map(([k, v, o]): Argv => ['LPOS', k, v, ...o.flat()]),
  fc.tuple(listKey, listKey, side, side).map(([s, d, f, t]): Argv => ['LMOVE', s, d, f, t]),
  fc.tuple(listKey, listKey).map(([s, d]): Argv => ['RPOPLPUSH', s, d]),
  fc
    .tuple(
      fc.constantFrom<Arg>('1', '2', '3', '0', '-1', 'x', '9'),
      fc.array(listKey, { minLength: 1, maxLength: 3 }),
      side,
      fc.constantFrom<Argv>(
        [],
        ['COUNT', '2'],
        ['COUNT', '10'],
        ['COUNT', '0'],
        ['COUNT', 'x'],
        ['COUNT'],
        ['X'],
      ),
    )
    .map(([n, ks, s, o]): Argv => ['LMPOP', n, ...ks, s, ...o]),
  // COMMAND INFO as Redis 7.0 lists each (flags, key specs), and the keys GETKEYS finds.
  fc
    .constantFrom(
      'lpush',
      'rpush',
      'lpushx',
      'rpushx',
      'lpop',
      'rpop',
      'llen',
      'lrange',
      'lindex',
      'lset',
      'ltrim',
      'linsert',
      'lrem',
      'lpos',
      'lmove',
      'rpoplpush',
      'lmpop',
    )
    .map((name): Argv => ['COMMAND', 'INFO', name]),
  fc.constantFrom<Argv>(
    ['COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT'],
    ['COMMAND', 'GETKEYS', 'LMPOP', '3', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'LMOVE', 'a', 'b', 'LEFT', 'RIGHT'],
    ['COMMAND', 'GETKEYS', 'RPOPLPUSH', 'a', 'b'],
  ),
  // Small nodes, so a few pushes make lists of many nodes and every command meets node boundaries.
  fc
    .constantFrom('1', '2', '3', '-1', '-2')
    .map((size): Argv => ['CONFIG', 'SET', 'list-max-listpack-size', size]),
  fc.constantFrom<Argv>(
    ['LPOP', 'a', '1', '2'],
    ['LPUSH', 'a'],
    ['LPOS', 'a'],
    ['LMPOP', '1', 'a'],
    ['TYPE', 'l'],
    ['OBJECT', 'ENCODING', 'l'],
    ['SET', 'l', 'str'],
    ['GET', 'a'],
    ['COPY', 'a', 'l', 'REPLACE'],
    ['RENAME', 'a', 'c'],
  ),
);
