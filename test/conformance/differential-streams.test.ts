// Differential test of the stream commands against real Redis 7.0, for every transport: random sequences of
// XADD (explicit, `<ms>-*` and invalid IDs, NOMKSTREAM, MAXLEN/MINID with = and ~ and LIMIT), XRANGE/XREVRANGE
// (exclusive bounds, COUNT), XDEL, XTRIM, XLEN, XREAD (without BLOCK), XSETID, XINFO STREAM (plain and FULL), DUMP,
// CONFIG SET of stream-node-max-entries and -max-bytes, and the keyspace commands that meet streams, on a few keys; some steps append a run of entries at once, so
// streams span many nodes (node boundaries by count and by bytes decide what `~` trims and what XINFO shows).
// Sent to redis-lite and to a redis-server this file starts on a free loopback port (stopped by PID afterwards),
// in RESP2 and RESP3; every reply must match byte for byte. `*` IDs are left out: they come from each server's
// clock. Skipped with a message when redis-server is not on PATH. Runs: FC_NUM_RUNS; seed: FC_SEED.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeResp,
  fcParameters,
  numRuns,
  respBytes,
  showArgv,
  timeoutFor,
  type Arg,
} from '../support/live-harness.js';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { transports } from '../support/server.js';

type Argv = Arg[];

const key = fc.constantFrom<Arg>('s', 's', 's', 't', 'str');
const U64 = '18446744073709551615';
const smallId = fc
  .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 3 }))
  .map(([ms, seq]) => `${ms}-${seq}`);
const addId = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 40 }).map((ms) => `${ms}-*`) },
  { weight: 3, arbitrary: smallId },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0-0',
      '0-1',
      '5',
      'x',
      '-',
      '+',
      '1-x',
      `${U64}-${U64}`,
      `${U64}-*`,
      `3-${U64}`,
      '007-1',
      ' 3-1',
    ),
  },
);
const value = fc.constantFrom<Arg>('1', 'v', '', '-7', '12345678901', 'x'.repeat(70), '3.5');
const field = fc.constantFrom<Arg>('f', 'g', 'f', '1');
const pairs = fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }).map((ps) => ps.flat());
const threshold = fc.constantFrom('0', '1', '3', '10', '50', '150', '-1', 'x');
const trimArgs = fc
  .tuple(
    fc.constantFrom('MAXLEN', 'MINID', 'maxlen'),
    fc.constantFrom<Argv>([], ['='], ['~']),
    threshold,
    smallId,
    fc.constantFrom<Argv>([], [], ['LIMIT', '0'], ['LIMIT', '100'], ['LIMIT', '1'], ['LIMIT', '-1']),
  )
  .map(([strategy, op, n, id, limit]): Argv => [
    strategy,
    ...op,
    strategy.toUpperCase() === 'MINID' ? id : n,
    ...limit,
  ]);
const bound = fc.oneof(
  smallId,
  fc.constantFrom('-', '+', '(-', '(+', '5', '(5', '(0-0', `(${U64}-${U64}`, '(3-1', 'x', '(', '10-'),
);

const command: fc.Arbitrary<Argv> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(key, fc.boolean(), fc.option(trimArgs), addId, pairs)
      .map(([k, nomk, trim, id, p]): Argv => [
        'XADD',
        k,
        ...(nomk ? ['NOMKSTREAM'] : []),
        ...(trim ?? []),
        id,
        ...p,
      ]),
  },
  {
    // A run of entries at once (expanded below): past stream-node-max-entries, or -max-bytes with long values.
    weight: 1,
    arbitrary: fc
      .tuple(key, fc.integer({ min: 1, max: 260 }), fc.constantFrom(1, 2, 600, 1500), fc.boolean())
      .map(([k, n, size, sameFields]): Argv => ['RUN', k, String(n), String(size), sameFields ? '1' : '0']),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom('XRANGE', 'XREVRANGE'),
        key,
        bound,
        bound,
        fc.constantFrom<Argv>(
          [],
          ['COUNT', '2'],
          ['COUNT', '0'],
          ['COUNT', '-1'],
          ['count', '1000'],
          ['COUNT'],
          ['LIMIT', '1'],
        ),
      )
      .map(([c, k, a, z, o]): Argv => [c, k, a, z, ...o]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(key, fc.array(fc.oneof(smallId, fc.constantFrom('x', '+', '5')), { minLength: 1, maxLength: 4 }))
      .map(([k, ids]): Argv => ['XDEL', k, ...ids]),
  },
  { weight: 2, arbitrary: fc.tuple(key, trimArgs).map(([k, t]): Argv => ['XTRIM', k, ...t]) },
  fc
    .tuple(fc.constantFrom('XLEN', 'TYPE', 'EXISTS', 'OBJECT ENCODING', 'DUMP'), key)
    .map(([c, k]): Argv => [...c.split(' '), k]),
  fc
    .tuple(key, fc.constantFrom<Argv>([], ['FULL'], ['FULL', 'COUNT', '3'], ['FULL', 'COUNT', '0'], ['BAD']))
    .map(([k, o]): Argv => ['XINFO', 'STREAM', k, ...o]),
  fc
    .tuple(
      key,
      key,
      fc.oneof(smallId, fc.constantFrom('$', '0', 'x', '>')),
      smallId,
      fc.constantFrom<Argv>([], ['COUNT', '2']),
    )
    .map(([k1, k2, i1, i2, c]): Argv => ['XREAD', ...c, 'STREAMS', k1, k2, i1, i2]),
  fc
    .tuple(
      key,
      smallId,
      fc.constantFrom<Argv>([], ['ENTRIESADDED', '500'], ['MAXDELETEDID', '1-0'], ['ENTRIESADDED', '-1']),
    )
    .map(([k, id, o]): Argv => ['XSETID', k, id, ...o]),
  fc
    .tuple(
      fc.constantFrom('stream-node-max-entries', 'stream-node-max-bytes'),
      fc.constantFrom('0', '1', '3', '100', '200', '1kb', '-1', 'x'),
    )
    .map(([name, n]): Argv => ['CONFIG', 'SET', name, n]),
  fc.constantFrom<Argv>(
    ['SET', 'str', 'x'],
    ['DEL', 's'],
    ['COPY', 's', 't', 'REPLACE'],
    ['XADD', 's'],
    ['XADD', 's', '1-1', 'f'],
  ),
);

/** A RUN step's XADDs: `n` entries with IDs from 1000 up (after any small one), values of `size` bytes. */
function expand(argv: Argv, counter: { next: number }): Argv[] {
  if (argv[0] !== 'RUN') return [argv];
  const [, k, n, size, same] = argv as string[];
  const out: Argv[] = [];
  for (let i = 0; i < Number(n); i++) {
    const id = `${1000 + counter.next++}-*`;
    const fields = same === '1' || i % 7 !== 0 ? ['f', 'v'.repeat(Number(size))] : ['other', String(i)];
    out.push(['XADD', k, id, ...fields]);
  }
  return out;
}

/** The suite replays one seed (FC_SEED=random soaks: live-harness.ts fcParameters). */
const FIXED_SEED = 7070;
const RUNS = numRuns(30);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: streams differential against redis-server',
  (transport) => {
    const both = useBothServers(transport);

    it.each([2, 3] as const)(
      'answers random stream command sequences byte for byte as Redis does, in RESP%s',
      async (protocol) => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(command, { minLength: 1, maxLength: 30 }),
            fc.context(),
            async (requests, ctx) => {
              for (const c of [both.lite, both.real]) {
                await c.call(['HELLO', String(protocol)]);
                await c.call(['FLUSHALL']);
                await c.call(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
                await c.call(['CONFIG', 'SET', 'stream-node-max-bytes', '4096']);
              }
              const counter = { next: 0 };
              const closing: Argv[] = [
                ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'],
                ['XINFO', 'STREAM', 't'],
                ['DUMP', 's'],
                ['DUMP', 't'],
              ];
              for (const argv of [...requests.flatMap((r) => expand(r, counter)), ...closing]) {
                const expected = respBytes(decodeResp(await both.real.call(argv))).toString('latin1');
                const actual = respBytes(decodeResp(await both.lite.call(argv))).toString('latin1');
                ctx.log(`${showArgv(argv)} -> ${JSON.stringify(expected)}`);
                expect(actual, showArgv(argv)).toBe(expected);
              }
            },
          ),
          fcParameters(RUNS, FIXED_SEED),
        );
      },
      timeoutFor(RUNS, 2000),
    );

    it('reads IDs on both sides of 2^53 (where the store leaves numbers for bigints) as Redis does', async () => {
      // 2^53 - 1 is the last ID part a number holds exactly: ranges, XREAD and the last entry across it, in
      // nodes whose master ID is exact and whose entries are not, and the other way round.
      const edge = [9007199254740990n, 9007199254740991n, 9007199254740992n, 9007199254740993n];
      const requests: Argv[] = [['FLUSHALL'], ['CONFIG', 'SET', 'stream-node-max-entries', '3']];
      for (const ms of [5n, ...edge])
        for (const seq of [0n, ...edge]) requests.push(['XADD', 's', `${ms}-${seq}`, 'f', `${ms}.${seq}`]);
      requests.push(['XDEL', 's', '9007199254740991-9007199254740993', '9007199254740993-9007199254740993']);
      const bounds = [
        '-',
        '+',
        '5-9007199254740991',
        '9007199254740991',
        '9007199254740992-1',
        '(9007199254740991-9007199254740992',
        '18446744073709551615',
      ];
      for (const start of bounds) {
        for (const end of bounds) {
          requests.push(['XRANGE', 's', start, end], ['XRANGE', 's', start, end, 'COUNT', '2']);
          requests.push(['XREVRANGE', 's', end, start, 'COUNT', '3']);
        }
        if (!start.startsWith('(') && start !== '+')
          requests.push(['XREAD', 'COUNT', '4', 'STREAMS', 's', start === '-' ? '0' : start]);
      }
      // One node each (the default node size) whose master ID is exact and whose later entries are not.
      requests.push(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
      for (const id of [
        '9007199254740991-0',
        '9007199254740993-0',
        '9007199254740993-5',
        '9007199254740995-1',
      ])
        requests.push(['XADD', 't', id, 'f', id]);
      for (const id of ['7-9007199254740990', '7-9007199254740993', '7-9007199254740999', '8-0'])
        requests.push(['XADD', 'u', id, 'f', id]);
      for (const k of ['t', 'u']) {
        requests.push(['XRANGE', k, '-', '+'], ['XRANGE', k, '9007199254740993', '9007199254740993']);
        requests.push(
          ['XRANGE', k, '7-9007199254740992', '+', 'COUNT', '1'],
          ['XREAD', 'STREAMS', k, '7-9007199254740993'],
        );
        requests.push(
          ['XGROUP', 'CREATE', k, 'g', '0'],
          ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', k, '>'],
        );
      }
      requests.push(['XGROUP', 'CREATE', 's', 'g', '9007199254740992-0']);
      requests.push(['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '3', 'STREAMS', 's', '>']);
      requests.push(['XINFO', 'STREAM', 's']);
      requests.push(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
      for (const argv of requests) {
        const expected = respBytes(decodeResp(await both.real.call(argv))).toString('latin1');
        const actual = respBytes(decodeResp(await both.lite.call(argv))).toString('latin1');
        expect(actual, showArgv(argv)).toBe(expected);
      }
    });
  },
);
