// INCRBYFLOAT against real Redis (fast-check): random stored values and increments — decimals, exponent
// forms, hexadecimal floats, huge and tiny magnitudes up to the long double's limits, negative zeros, numbers
// of hundreds of digits, ties between two long doubles, and malformed text — sent to redis-lite and to a
// redis-server this file starts on a free loopback port (no persistence; stopped by PID afterwards). Every
// reply and the stored value after it must match byte for byte. The arithmetic lives in the core, the same on
// every transport, so one transport is enough here (differential.test.ts covers both). Skipped with a message
// when redis-server is not on PATH. Runs: FC_NUM_RUNS; fast-check prints the seed and the shrunk sequence.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParameters, numRuns, timeoutFor } from '../support/live-harness.js';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';

// ---- number texts ----

const sign = fc.constantFrom('', '', '-', '+');
const digits = (minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength, maxLength }).map((d) => d.join(''));
const hexDigits = (minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength, maxLength }).map((d) => d.join(''));
const exponent = (marker: fc.Arbitrary<string>, max: number) =>
  fc
    .tuple(marker, fc.constantFrom('', '+', '-'), fc.oneof(fc.nat(40), fc.nat(max)))
    .map(([m, s, e]) => `${m}${s}${e}`);

/** 12.5, .5, 3., 1e-7, 2.5E+300, 1e4932: everyday to beyond a double. */
const decimal = fc
  .tuple(
    sign,
    digits(0, 22),
    fc.option(digits(0, 22)),
    fc.option(exponent(fc.constantFrom('e', 'E'), 4960), { freq: 2 }),
  )
  .filter(([, whole, fraction]) => whole.length > 0 || (fraction ?? '').length > 0)
  .map(([s, whole, fraction, e]) => `${s}${whole}${fraction === null ? '' : `.${fraction}`}${e ?? ''}`);

/** Hundreds of digits, the exponent moving the point anywhere: reading them must round once, correctly. */
const manyDigits = fc
  .tuple(sign, digits(1, 400), digits(0, 400), fc.integer({ min: -900, max: 300 }))
  .map(([s, whole, fraction, e]) => `${s}${whole}.${fraction}e${e}`);

/** 0x1.8p3, 0X.8, -0xffP-16460: up to the long double's exponent range and past it. */
const hexFloat = fc
  .tuple(
    sign,
    fc.constantFrom('0x', '0X'),
    hexDigits(0, 20),
    fc.option(hexDigits(0, 20)),
    fc.option(exponent(fc.constantFrom('p', 'P'), 16_500), { freq: 2 }),
  )
  .map(
    ([s, x, whole, fraction, e]) => `${s}${x}${whole}${fraction === null ? '' : `.${fraction}`}${e ?? ''}`,
  );

/**
 * Integers between 2^64 and 2^72, where %.17Lf shows every bit: exact ties between two long doubles (an odd
 * multiple of half the spacing) and their neighbours, written plainly or as many digits over a power of ten.
 */
const nearTie = fc
  .tuple(
    sign,
    fc.integer({ min: 64, max: 71 }),
    fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
    fc.constantFrom('', '.0000000000000000000001', '.99999999999999999999', '.5'),
    fc.nat(30),
  )
  .map(([s, bits, low, tail, shift]) => {
    const spacing = 2n ** BigInt(bits - 63); // between neighbours in [2^bits, 2^(bits+1))
    const tie = 2n ** BigInt(bits) + low * spacing + spacing / 2n;
    const text = `${tie}${tail}`;
    if (shift === 0) return `${s}${text}`;
    const [whole, fraction = ''] = text.split('.');
    return `${s}${whole}${fraction}${'0'.repeat(shift)}e-${fraction.length + shift}`;
  });

/** Odd multiples of 2^-18: exactly 18 decimals ending in 5, so "%.17Lf" must break the tie to even. */
const printTie = fc
  .tuple(sign, fc.bigInt({ min: 0n, max: 2n ** 60n }))
  .map(([s, n]) => `${s}0x${(2n * n + 1n).toString(16)}p-18`);

/** Where long doubles end: LDBL_MAX, overflow, the least subnormal, underflow to zero. */
const edges = fc.constantFrom(
  '1.18973149535723176502e4932',
  '1.18973149535723176503e4932',
  '-1.1897314953572317650e4932',
  '1e4932',
  '5e4931',
  '1e4933',
  '0x1.fffffffffffffffep16383',
  '0x1.ffffffffffffffffp16383',
  '0x1p16383',
  '0x1p16384',
  '3.6451995318824746025e-4951',
  '1.83e-4951',
  '1.82e-4951',
  '0x1p-16445',
  '0x1p-16446',
  '0x1.0000001p-16446',
  '1e-4950',
  '0x1p-16382',
  '1e309',
  '1e-309',
  '0e999999999999999999999',
  '1e-99999999999999999999',
);

const special = fc.constantFrom(
  '0',
  '-0',
  '-0.0',
  '+0e10',
  '-0x0p3',
  '0.1',
  '1.1',
  '-1',
  '10.50',
  '5.0e3',
  '4611686018427387903',
  '9223372036854775807',
  '-9223372036854775808',
  'inf',
  '-inf',
  'Infinity',
  'nan',
  '-nan',
  'NaN(1)',
  '',
  ' 1',
  '1 ',
  '\t1',
  '1e',
  '0x',
  '0x.p1',
  '.',
  '1.2.3',
  '1\u00002',
  'abc',
);

const number = fc.oneof(
  { arbitrary: decimal, weight: 5 },
  { arbitrary: manyDigits, weight: 2 },
  { arbitrary: hexFloat, weight: 3 },
  { arbitrary: nearTie, weight: 3 },
  { arbitrary: printTie, weight: 2 },
  { arbitrary: edges, weight: 2 },
  { arbitrary: special, weight: 3 },
);

/** One step on key k: sometimes SET k first, then INCRBYFLOAT k. */
const step = fc.tuple(fc.option(number, { freq: 3 }), number);

/** The suite replays one seed (FC_SEED=random soaks: live-harness.ts fcParameters). */
const FIXED_SEED = 7952;
const RUNS = numRuns(150);

describe.skipIf(!haveRedisServer)('INCRBYFLOAT against redis-server', () => {
  const both = useBothServers('eventloop');

  it(
    'answers and stores byte for byte as Redis 7.0 does (80-bit long double)',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), fc.context(), async (steps, ctx) => {
          for (const c of [both.lite, both.real]) await c.call(['DEL', 'k']);
          for (const [stored, increment] of steps) {
            const argvs = [
              ...(stored === null ? [] : [['SET', 'k', Buffer.from(stored, 'latin1')]]),
              ['INCRBYFLOAT', 'k', Buffer.from(increment, 'latin1')],
              ['GET', 'k'],
            ];
            for (const argv of argvs) {
              const expected = (await both.real.call(argv)).toString('latin1');
              const actual = (await both.lite.call(argv)).toString('latin1');
              const shown = argv.map((a) => JSON.stringify(a.toString())).join(' ');
              ctx.log(`${shown} -> ${JSON.stringify(expected.slice(0, 80))}`);
              expect(actual, shown).toBe(expected);
            }
          }
        }),
        fcParameters(RUNS, FIXED_SEED),
      );
    },
    timeoutFor(RUNS, 100),
  );
});
