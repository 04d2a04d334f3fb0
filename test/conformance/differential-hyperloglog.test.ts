// Differential test of the HyperLogLog commands against redis-server 7.0, for every transport: random sequences of
// PFADD (element sets from one element to thousands, so HLLs stay sparse, cross hll-sparse-max-bytes or are dense
// from the start), PFCOUNT of one key (its cache written or read) and of several, PFMERGE into new, sparse and
// dense destinations, PFDEBUG's four subcommands, CONFIG SET of hll-sparse-max-bytes, and byte edits (SETRANGE,
// APPEND) that corrupt a header or an opcode, over a few keys (one a plain string, one a list), sent to
// redis-lite and to a redis-server this file starts on a free loopback port (stopped by PID afterwards). Every
// reply must match byte for byte, and at the end every key's GET, DUMP and OBJECT ENCODING: so the values are
// the bytes Redis's are. Skipped with a message when redis-server is not on PATH. A fixed seed in the suite;
// a soak: FC_SEED=random FC_NUM_RUNS=500 TEST_TRANSPORTS=eventloop npx vitest run <this file>.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParameters, numRuns, showArgv, timeoutFor, type Arg } from '../support/live-harness.js';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { transports } from '../support/server.js';

type Argv = Arg[];

const KEYS = ['h1', 'h2', 'h3', 'str', 'list'];
const hllKey = fc.constantFrom<Arg>('h1', 'h1', 'h2', 'h2', 'h3');
const anyKey = fc.constantFrom<Arg>(...KEYS);

/** `count` distinct elements named from a seed, so a sequence shrinks without carrying thousands of strings. */
const namedElements = fc
  .tuple(fc.nat(999), fc.constantFrom(1, 2, 5, 20, 100, 400, 1200, 2500, 6000))
  .map(([seed, count]) => Array.from({ length: count }, (_, i) => `e${seed}:${i}`));
/** A few elements of any bytes, repeats and the empty one included. */
const rawElements = fc.array(
  fc.oneof(
    fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
    fc.constantFrom<Arg>('', 'a', 'b', 'hello'),
  ),
  { maxLength: 6 },
);

const pfCommand: fc.Arbitrary<Argv> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(hllKey, namedElements).map(([k, e]): Argv => ['PFADD', k, ...e]) },
  { weight: 3, arbitrary: fc.tuple(anyKey, rawElements).map(([k, e]): Argv => ['PFADD', k, ...e]) },
  { weight: 4, arbitrary: anyKey.map((k): Argv => ['PFCOUNT', k]) },
  {
    weight: 2,
    arbitrary: fc.array(anyKey, { minLength: 2, maxLength: 4 }).map((ks): Argv => ['PFCOUNT', ...ks]),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(hllKey, fc.array(anyKey, { maxLength: 3 }))
      .map(([d, ss]): Argv => ['PFMERGE', d, ...ss]),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('ENCODING', 'DECODE', 'GETREG', 'TODENSE', 'encoding', 'NOPE'), anyKey)
      .map(([sub, k]): Argv => ['PFDEBUG', sub, k]),
  },
  { weight: 3, arbitrary: anyKey.map((k): Argv => ['GET', k]) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('0', '40', '300', '3000', '2kb')
      .map((n): Argv => ['CONFIG', 'SET', 'hll-sparse-max-bytes', n]),
  },
  {
    // A header byte (magic, encoding, cache) or an opcode overwritten, or bytes appended.
    weight: 1,
    arbitrary: fc
      .tuple(
        hllKey,
        fc.constantFrom(0, 4, 8, 15, 16, 17, 18, 19, 25),
        fc.uint8Array({ minLength: 1, maxLength: 2 }),
      )
      .map(([k, at, b]): Argv => ['SETRANGE', k, String(at), Buffer.from(b)]),
  },
  {
    // An opcode appended: a ZERO, a VAL, or half an XZERO; each reaches past the last register of a whole HLL.
    weight: 1,
    arbitrary: fc
      .tuple(hllKey, fc.constantFrom<Arg>('\x00', '\x80', '\x7f'))
      .map(([k, op]): Argv => ['APPEND', k, op]),
  },
  { weight: 1, arbitrary: fc.tuple(hllKey, hllKey).map(([s, d]): Argv => ['COPY', s, d, 'REPLACE']) },
);

const OPENING: Argv[] = [
  ['FLUSHALL'],
  ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
  ['SET', 'str', 'not an hll at all'],
  ['RPUSH', 'list', 'a'],
];
const CLOSING: Argv[] = KEYS.flatMap((k): Argv[] => [
  ['GET', k],
  ['DUMP', k],
  ['OBJECT', 'ENCODING', k],
]);

/** A fresh HLL's bytes (XZERO:16384, cache valid at 0) with `opcodes` in place of its opcodes. */
const crafted = (...opcodes: number[]): Buffer =>
  Buffer.concat([Buffer.from('HYLL\x01\0\0\0\0\0\0\0\0\0\0\0', 'latin1'), Buffer.from(opcodes)]);

/**
 * Sparse opcodes that do not add up, each read by every command that walks them: past the last register by a
 * VAL, a ZERO or an XZERO (refused since the fix of CVE-2025-32023, as redis-server 7.0.15 here refuses them),
 * short of it, an XZERO cut in half, none at all.
 */
const CORRUPT: readonly Buffer[] = [
  crafted(0x7f, 0xff, 0x80),
  crafted(0x7f, 0xff, 0x00),
  crafted(0x7f, 0xff, 0x40, 0x00),
  crafted(0x7f, 0xfe, 0x84, 0x81),
  crafted(0x7f, 0xfe),
  crafted(0x7f),
  crafted(),
  crafted(0x7f, 0xf0, 0xfc, 0x4f),
];
const corruptCase = (value: Buffer): Argv[] => [
  ['SET', 'c', value],
  ['PFCOUNT', 'c', 'h1'],
  ['PFMERGE', 'h1', 'c'],
  ['PFMERGE', 'c'],
  ['PFADD', 'c', 'a', 'b', 'c', 'd'],
  ['PFCOUNT', 'c'],
  ['PFDEBUG', 'DECODE', 'c'],
  ['PFDEBUG', 'GETREG', 'c'],
  ['PFDEBUG', 'TODENSE', 'c'],
  ['GET', 'c'],
];

/** The suite replays one seed (FC_SEED=random soaks: live-harness.ts fcParameters). */
const FIXED_SEED = 4242;
const RUNS = numRuns(25);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: HyperLogLog differential against redis-server',
  (transport) => {
    const both = useBothServers(transport);

    it(
      'answers random HyperLogLog sequences byte for byte as Redis does, and leaves the same bytes',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(pfCommand, { minLength: 1, maxLength: 14 }), async (requests) => {
            const sequence = [...OPENING, ...requests, ...CLOSING];
            const [theirs, ours] = await Promise.all([
              both.real.pipeline(sequence),
              both.lite.pipeline(sequence),
            ]);
            sequence.forEach((argv, i) => {
              const shown = showArgv(argv);
              expect(
                ours[i].toString('latin1'),
                shown.length > 200 ? `${shown.slice(0, 200)}...` : shown,
              ).toBe(theirs[i].toString('latin1'));
            });
          }),
          fcParameters(RUNS, FIXED_SEED),
        );
      },
      timeoutFor(RUNS, 400),
    );

    it('refuses corrupt sparse opcodes where redis-server does, with its errors', async () => {
      const sequence = [...OPENING, ['PFADD', 'h1', 'x'], ...CORRUPT.flatMap(corruptCase)];
      const [theirs, ours] = await Promise.all([both.real.pipeline(sequence), both.lite.pipeline(sequence)]);
      sequence.forEach((argv, i) =>
        expect(ours[i].toString('latin1'), showArgv(argv)).toBe(theirs[i].toString('latin1')),
      );
    });
  },
);
