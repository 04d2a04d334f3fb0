// Differential test of the string and bitmap commands against real Redis 7.0, for every transport: random
// sequences over a few keys (a list among them, for WRONGTYPE) of SET with its options in any order and number
// (NX, XX, GET, KEEPTTL, EX, PX, EXAT, PXAT, repeated, conflicting, lower case), GETEX, GETDEL, GETSET, the
// counters at the int64 and long double edges, SETRANGE and GETRANGE with negative and huge offsets, LCS with
// its options, and SETBIT, BITCOUNT, BITPOS, BITOP and BITFIELD with BIT and BYTE ranges; after every request
// OBJECT ENCODING of each key (int, embstr, raw: Redis's conversions). In RESP2 and RESP3; every reply must
// match byte for byte, except a time left that counts down from now (TTL, PTTL, and PEXPIRETIME of a relative
// expiry), compared by its sign: every expiry here is far ahead or already past, never racing the clock. Of
// the deadlines past 2^53 ms only the largest, 2^63 - 1, is set: a double holds the others rounded (README).
// Fixed seed (fcParameters: FC_SEED=random FC_NUM_RUNS=2000 for a soak). Skipped without redis-server on PATH.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import {
  decodeResp,
  fcParameters,
  numRuns,
  respBytes,
  showArgv,
  timeoutFor,
  type Arg,
  type Value,
} from '../support/live-harness.js';
import { transports } from '../support/server.js';

type Argv = Arg[];

const KEYS = ['s', 't', 'n', 'l'];
const key = fc.constantFrom<Arg>('s', 's', 't', 'n', 'l', 'none');
const value = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<Arg>(
      '', 'v', 'hello', '0', '-1', '123', '10', '007', '-0', '+1', ' 1', '1.5', '1e3', '0x10', 'inf',
      '9223372036854775807', '-9223372036854775808', '9223372036854775808', '12345678901234567890',
      'x'.repeat(44), 'y'.repeat(45), 'ohmytext', 'mynewtext',
    ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b)) },
); // prettier-ignore

/** Far ahead (relative or absolute: year 2100), already past, zero, negative, overflowing and malformed. */
const relativeTime = fc.constantFrom<Arg>(
  '100000', '100000000', '0', '-1', '9223372036854775807', '9223372036854775', '9223372036854776',
  '99999999999999', '1.5', 'x', '',
); // prettier-ignore
const absoluteSeconds = fc.constantFrom<Arg>('4102444800', '1', '0', '-1', '9223372036854776', '1e3');
// The largest deadline, 2^63 - 1 ms, exactly; not others past 2^53 ms, which a double rounds (README).
const absoluteMs = fc.constantFrom<Arg>(
  '4102444800000', '4102444800600', '1', '0', '-5', '9223372036854775807', '9223372036854775808',
); // prettier-ignore
const expiryOption: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(fc.constantFrom('EX', 'PX', 'ex', 'px'), relativeTime).map((o): Argv => [...o]),
  absoluteSeconds.map((t): Argv => ['EXAT', t]),
  absoluteMs.map((t): Argv => ['PXAT', t]),
);
const setOption: fc.Arbitrary<Argv> = fc.oneof(
  { weight: 3, arbitrary: expiryOption },
  { weight: 3, arbitrary: fc.constantFrom<Argv>(['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['get'], ['nx']) },
  { weight: 1, arbitrary: fc.constantFrom<Argv>(['EX'], ['FOO'], ['PERSIST'], ['KEEPTTL', 'KEEPTTL']) },
);
const getexOption: fc.Arbitrary<Argv> = fc.oneof(
  { weight: 3, arbitrary: expiryOption },
  { weight: 1, arbitrary: fc.constantFrom<Argv>(['PERSIST'], ['persist'], ['KEEPTTL'], ['PX'], ['NX']) },
);
const int = fc.constantFrom<Arg>(
  '0', '1', '-1', '2', '-2', '3', '5', '-5', '7', '8', '15', '16', '100', '-100', '2147483647', '-2147483648',
  '9223372036854775807', '-9223372036854775808', '9223372036854775806', '-9223372036854775807',
  '9223372036854775808', '1.5', 'x', '',
); // prettier-ignore
const float = fc.oneof(
  fc.constantFrom<Arg>(
    '0', '-0', '1', '-1', '0.1', '0.2', '1.1', '-2.5', '1e-5', '3e15', '1e17', '5e-324', '1.7976931348623157e308',
    '1e308', '123456789.123', 'inf', '-inf', 'nan', '1e400', '0x1p3', '1,5', '', ' 1', '1 ', '3.0', '.5', '5.',
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
); // prettier-ignore
// No valid offset near 512 MiB: each would allocate and send back a 512 MiB string.
const offset = fc.constantFrom<Arg>('0', '1', '3', '7', '20', '-1', '536870912', 'x');
const bitOffset = fc.constantFrom<Arg>('0', '1', '7', '8', '15', '100', '-1', '4294967296', 'x');
const range = fc.option(fc.tuple(int, int), { freq: 2 });
const unit = fc.constantFrom<Argv>([], [], ['BIT'], ['BYTE'], ['bit'], ['BITS']);
const bitType = fc.constantFrom<Arg>('u1', 'i1', 'u3', 'i5', 'u8', 'i8', 'u16', 'i16', 'u63', 'i63', 'i64');
const bitfieldOffset = fc.constantFrom<Arg>('0', '1', '5', '13', '64', '#0', '#1', '#3', '-1', '#-1', 'x');
const bitfieldOp: fc.Arbitrary<Argv> = fc.oneof(
  fc.tuple(bitType, bitfieldOffset).map(([t, o]): Argv => ['GET', t, o]),
  fc.tuple(bitType, bitfieldOffset, int).map(([t, o, v]): Argv => ['SET', t, o, v]),
  fc.tuple(bitType, bitfieldOffset, int).map(([t, o, v]): Argv => ['INCRBY', t, o, v]),
  fc.constantFrom<Argv>(['OVERFLOW', 'WRAP'], ['OVERFLOW', 'SAT'], ['OVERFLOW', 'FAIL'], ['overflow', 'sat']),
);
const lcsOption = fc.constantFrom<Argv>(
  ['LEN'], ['IDX'], ['WITHMATCHLEN'], ['MINMATCHLEN', '0'], ['MINMATCHLEN', '2'], ['MINMATCHLEN', '-3'],
  ['MINMATCHLEN', 'x'], ['idx'], ['FOO'],
); // prettier-ignore

const stringCommand: fc.Arbitrary<Argv> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(key, value, fc.array(setOption, { maxLength: 3 }))
      .map(([k, v, o]): Argv => ['SET', k, v, ...o.flat()]),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(key, fc.array(getexOption, { maxLength: 2 }))
      .map(([k, o]): Argv => ['GETEX', k, ...o.flat()]),
  },
  fc
    .tuple(fc.constantFrom('GET', 'GETDEL', 'STRLEN', 'INCR', 'DECR', 'TYPE', 'PERSIST'), key)
    .map((t): Argv => t),
  fc.tuple(fc.constantFrom('GETSET', 'SETNX', 'APPEND'), key, value).map((t): Argv => t),
  fc
    .tuple(fc.constantFrom('SETEX', 'PSETEX'), key, relativeTime, value)
    .map(([c, k, t, v]): Argv => [c, k, t, v]),
  fc
    .tuple(fc.constantFrom('MSET', 'MSETNX'), fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }))
    .map(([c, pairs]): Argv => [c, ...pairs.flat()]),
  fc.array(key, { minLength: 1, maxLength: 4 }).map((ks): Argv => ['MGET', ...ks]),
  fc.tuple(fc.constantFrom('INCRBY', 'DECRBY'), key, int).map((t): Argv => t),
  { weight: 2, arbitrary: fc.tuple(key, float).map(([k, f]): Argv => ['INCRBYFLOAT', k, f]) },
  fc.tuple(fc.constantFrom('GETRANGE', 'SUBSTR'), key, int, int).map((t): Argv => t),
  fc.tuple(key, offset, value).map(([k, o, v]): Argv => ['SETRANGE', k, o, v]),
  fc
    .tuple(key, key, fc.array(lcsOption, { maxLength: 3 }))
    .map(([a, b, o]): Argv => ['LCS', a, b, ...o.flat()]),
  fc.tuple(key, bitOffset, fc.constantFrom('0', '1', '2')).map(([k, o, b]): Argv => ['SETBIT', k, o, b]),
  fc.tuple(key, bitOffset).map(([k, o]): Argv => ['GETBIT', k, o]),
  fc.tuple(key, range, unit).map(([k, r, u]): Argv => ['BITCOUNT', k, ...(r === null ? [] : [...r, ...u])]),
  fc
    .tuple(key, fc.constantFrom('0', '1', '2'), fc.option(int), fc.option(int), unit)
    .map(([k, b, s, e, u]): Argv => {
      if (s === null) return ['BITPOS', k, b];
      return ['BITPOS', k, b, s, ...(e === null ? [] : [e, ...u])];
    }),
  fc
    .tuple(
      fc.constantFrom('AND', 'OR', 'XOR', 'NOT', 'and', 'DIFF'),
      key,
      fc.array(key, { minLength: 1, maxLength: 3 }),
    )
    .map(([op, d, src]): Argv => ['BITOP', op, d, ...src]),
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('BITFIELD', 'BITFIELD_RO'), key, fc.array(bitfieldOp, { maxLength: 4 }))
      .map(([c, k, ops]): Argv => [c, k, ...ops.flat()]),
  },
  fc.tuple(fc.constantFrom('TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME'), key).map((t): Argv => t),
  fc.constantFrom<Argv>(['RPUSH', 'l', 'a'], ['DEL', 's'], ['SET', 'n', '5'], ['SET']),
);

const MASK: Value = { type: 'status', text: '(counts down)' };
/** The absolute deadlines the generator uses: EXPIRETIME and PEXPIRETIME of those are exact. */
const ABSOLUTE = new Set([
  4102444800n, 4102444801n, 4102444800000n, 4102444800600n, 9223372036854776n, 9223372036854775807n,
]); // prettier-ignore

function normalize(argv: Argv, value: Value): string {
  const name = Buffer.from(argv[0]).toString().toUpperCase();
  const countsDown = value.type === 'integer' && value.value > 0n && !ABSOLUTE.has(value.value);
  if (['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME'].includes(name) && countsDown)
    return respBytes(MASK).toString();
  return respBytes(value).toString('latin1');
}

const RUNS = numRuns(40);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: string and bitmap commands against redis-server',
  (transport) => {
    const both = useBothServers(transport);

    it.each([2, 3] as const)(
      'answers random string command sequences as Redis 7.0 does, in RESP%s',
      async (protocol) => {
        const encodings = KEYS.map((k): Argv => ['OBJECT', 'ENCODING', k]);
        const closing = KEYS.flatMap((k): Argv[] => [
          ['GET', k],
          ['TTL', k],
          ['EXPIRETIME', k],
        ]);
        await fc.assert(
          fc.asyncProperty(
            fc.array(stringCommand, { minLength: 1, maxLength: 25 }),
            fc.context(),
            async (requests, ctx) => {
              for (const c of [both.lite, both.real]) {
                await c.call(['HELLO', String(protocol)]);
                await c.call(['FLUSHALL']);
                await c.call(['RPUSH', 'l', 'x']);
              }
              const check = async (argv: Argv): Promise<void> => {
                const expected = normalize(argv, decodeResp(await both.real.call(argv)));
                const actual = normalize(argv, decodeResp(await both.lite.call(argv)));
                ctx.log(`${showArgv(argv)} -> ${JSON.stringify(expected)}`);
                expect(actual, showArgv(argv)).toBe(expected);
              };
              for (const argv of requests) {
                await check(argv);
                for (const probe of encodings) await check(probe);
              }
              for (const argv of closing) await check(argv);
            },
          ),
          fcParameters(RUNS, 2207 + protocol),
        );
      },
      timeoutFor(RUNS, 150),
    );
  },
);
