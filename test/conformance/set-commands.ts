// The set commands of the differential test (issue 12): random SADD ... SSCAN over the test's small key space
// (so they meet strings and WRONGTYPE) and a small member space of integers, int64 edges, non-canonical numbers
// and strings (so sets cross between intset and hashtable, also after CONFIG SET set-max-intset-entries). Only
// forms whose outcome Redis fixes are generated: SPOP pops whole sets (a count above any set's size here), and
// normalizeSetReply compares the rest where the order or the draw is the server's own.

import fc from 'fast-check';
import { respBytes, type Arg, type Value } from '../support/live-harness.js';

type Argv = Arg[];

const member = fc.constantFrom<Arg>(
  '1',
  '2',
  '3',
  '-1',
  '0',
  '40000',
  '9223372036854775807',
  '-9223372036854775808',
  '01',
  ' 1',
  'x',
  'y',
  '',
  Buffer.from([0, 0xff]),
);
const members = fc.array(member, { minLength: 1, maxLength: 4 });

const SET_COMMAND_NAMES = [
  'sadd',
  'srem',
  'sismember',
  'smismember',
  'smembers',
  'scard',
  'spop',
  'srandmember',
  'smove',
  'sinter',
  'sintercard',
  'sunion',
  'sdiff',
  'sinterstore',
  'sunionstore',
  'sdiffstore',
  'sscan',
];

/** The commands, given the differential test's key arbitrary. */
export function setCommands(key: fc.Arbitrary<Arg>): fc.Arbitrary<Argv> {
  const keys = fc.array(key, { minLength: 1, maxLength: 3 });
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(key, members).map(([k, m]): Argv => ['SADD', k, ...m]) },
    { weight: 2, arbitrary: fc.tuple(key, members).map(([k, m]): Argv => ['SREM', k, ...m]) },
    fc.tuple(key, member).map(([k, m]): Argv => ['SISMEMBER', k, m]),
    fc.tuple(key, members).map(([k, m]): Argv => ['SMISMEMBER', k, ...m]),
    fc.tuple(fc.constantFrom('SCARD', 'SMEMBERS', 'SRANDMEMBER'), key).map((t): Argv => t),
    fc
      .tuple(key, fc.constantFrom<Arg>('100', '0', '-1', 'x', '99999999999999999999'))
      .map(([k, c]): Argv => ['SPOP', k, c]),
    fc
      .tuple(key, fc.constantFrom<Arg>('100', '0', '-3', '2', 'x', '-9223372036854775808'))
      .map(([k, c]): Argv => ['SRANDMEMBER', k, c]),
    fc.tuple(key, key, member).map(([s, d, m]): Argv => ['SMOVE', s, d, m]),
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('SINTER', 'SUNION', 'SDIFF', 'sunion'), keys)
        .map(([c, ks]): Argv => [c, ...ks]),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), key, keys)
        .map(([c, d, ks]): Argv => [c, d, ...ks]),
    },
    fc
      .tuple(
        keys,
        fc.constantFrom<Argv>([], ['LIMIT', '1'], ['LIMIT', '0'], ['LIMIT', '-1'], ['LIMIT'], ['BOGUS']),
        fc.constantFrom<Arg | null>(null, null, '0', 'x', '9'),
      )
      .map(([ks, o, n]): Argv => ['SINTERCARD', n ?? String(ks.length), ...ks, ...o]),
    fc
      .tuple(
        key,
        fc.constantFrom<Arg>('0', 'x', '18446744073709551616'),
        fc.constantFrom<Argv>(
          ['COUNT', '1000'],
          ['MATCH', '*', 'COUNT', '1000'],
          ['MATCH', '1*', 'COUNT', '1000'],
          ['COUNT', '0'],
          ['COUNT', 'x'],
          ['MATCH'],
          ['TYPE', 'set'],
        ),
      )
      .map(([k, c, o]): Argv => ['SSCAN', k, c, ...o]),
    fc.constantFrom<Argv>(
      ['SADD', 'a'],
      ['SPOP', 'a', '1', '2'],
      ['SRANDMEMBER', 'a', '1', '2'],
      ['SMOVE', 'a', 'b'],
      ['SINTERCARD', '1'],
      ['SINTERSTORE', 'a'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '3'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
    ),
    // COMMAND INFO as Redis 7.0 lists each (flags, key specs, tips), and the keys GETKEYS finds.
    fc.constantFrom(...SET_COMMAND_NAMES).map((name): Argv => ['COMMAND', 'INFO', name]),
    fc.constantFrom<Argv>(
      ['COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1'],
      ['COMMAND', 'GETKEYS', 'SINTERCARD', '3', 'a', 'b'],
      ['COMMAND', 'GETKEYS', 'SMOVE', 'a', 'b', 'm'],
      ['COMMAND', 'GETKEYS', 'SUNIONSTORE', 'd', 'a', 'b'],
    ),
  );
}

const sortedItems = (items: readonly Value[]): Value[] =>
  [...items].sort((x, y) => Buffer.compare(respBytes(x), respBytes(y)));

const MASKED: Value = { type: 'status', text: '(random)' };

/**
 * A set reply put in a server-independent form: hash-table orders differ (the members compared sorted, which an
 * intset's ascending order survives only as a set: test/integration/sets.test.ts pins that order); a random
 * draw by its size and, when it must be the whole set, its members. Other replies unchanged.
 */
export function normalizeSetReply(name: string, argv: readonly Arg[], value: Value): Value {
  const list = value.type === 'array' || value.type === 'set' ? value.items : null;
  switch (name) {
    case 'SMEMBERS':
    case 'SINTER':
    case 'SUNION':
    case 'SDIFF':
    case 'SPOP':
      return list === null ? value : ({ ...value, items: sortedItems(list) } as Value);
    case 'SSCAN': {
      if (value.type !== 'array' || value.items.length !== 2) return value;
      const [cursor, found] = value.items;
      return found.type === 'array'
        ? { type: 'array', items: [cursor, { type: 'array', items: sortedItems(found.items) }] }
        : value;
    }
    case 'SRANDMEMBER': {
      if (argv.length < 3 || list === null) return value.type === 'bulk' ? MASKED : value;
      // Distinct members: the whole set when the count reaches its size, otherwise only how many.
      const count = Number(Buffer.from(argv[2]).toString());
      const kept = count > 0 && list.length < count ? sortedItems(list) : list.map(() => MASKED);
      return { ...value, items: kept } as Value;
    }
    default:
      return value;
  }
}
