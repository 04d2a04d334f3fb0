// Differential test of the stream consumer-group commands against real Redis 7.0, for every transport: random
// sequences of XGROUP (CREATE with MKSTREAM and ENTRIESREAD, SETID, DESTROY, CREATECONSUMER, DELCONSUMER),
// XREADGROUP (`>`, history IDs, NOACK, COUNT), XACK, XPENDING (summary, extended with IDLE 0 and a consumer),
// XCLAIM (FORCE, JUSTID, RETRYCOUNT, LASTID), XAUTOCLAIM, XINFO GROUPS / CONSUMERS / STREAM FULL, with XADD and
// XDEL between them, on two streams, in RESP2 and RESP3; every reply must match byte for byte once the values
// that come from each server's clock are masked (idle times, delivery and seen times: `IDLE <ms>` and min-idle
// arguments are 0 so the clocks never decide what is claimed or listed). Then the DUMP of each stream, made by
// redis-server, is RESTOREd here and must DUMP back byte for byte (the groups' RDB form, times included).
// Skipped with a message when redis-server is not on PATH. Runs: FC_NUM_RUNS; seed: FC_SEED.

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
  type Value,
} from '../support/live-harness.js';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { transports } from '../support/server.js';

type Argv = Arg[];

const key = fc.constantFrom<Arg>('s', 's', 's', 't', 'str');
const group = fc.constantFrom<Arg>('g', 'g', 'h', 'nog');
const consumer = fc.constantFrom<Arg>('alice', 'bob', 'carol');
const id = fc
  .tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 1 }))
  .map(([ms, seq]) => `${ms}-${seq}`);
const anyId = fc.oneof(id, fc.constantFrom('0', '$', '>', 'x', '-', '+', '(3-0'));
const ids = fc.array(fc.oneof(id, fc.constantFrom('x')), { minLength: 1, maxLength: 3 });

const command: fc.Arbitrary<Argv> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(key, fc.integer({ min: 1, max: 14 }), fc.constantFrom('v', 'w'))
      .map(([k, ms, v]): Argv => ['XADD', k, `${ms}-*`, 'f', v]),
  },
  { weight: 2, arbitrary: fc.tuple(key, ids).map(([k, i]): Argv => ['XDEL', k, ...i]) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        key,
        group,
        fc.oneof(id, fc.constantFrom('$', '0', 'x')),
        fc.constantFrom<Argv>(
          [],
          ['MKSTREAM'],
          ['ENTRIESREAD', '2'],
          ['MKSTREAM', 'ENTRIESREAD', '-1'],
          ['ENTRIESREAD', '-2'],
          ['BAD'],
        ),
      )
      .map(([k, g, i, o]): Argv => ['XGROUP', 'CREATE', k, g, i, ...o]),
  },
  fc
    .tuple(
      key,
      group,
      fc.oneof(id, fc.constantFrom('$', '-', 'x')),
      fc.constantFrom<Argv>([], ['ENTRIESREAD', '1'], ['MKSTREAM']),
    )
    .map(([k, g, i, o]): Argv => ['XGROUP', 'SETID', k, g, i, ...o]),
  fc.tuple(key, group).map(([k, g]): Argv => ['XGROUP', 'DESTROY', k, g]),
  fc
    .tuple(fc.constantFrom('CREATECONSUMER', 'DELCONSUMER'), key, group, consumer)
    .map(([c, k, g, n]): Argv => ['XGROUP', c, k, g, n]),
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        group,
        consumer,
        fc.constantFrom<Argv>([], ['COUNT', '1'], ['COUNT', '2'], ['NOACK'], ['COUNT', '0']),
        fc.array(fc.tuple(key, anyId), { minLength: 1, maxLength: 2 }),
      )
      .map(([g, c, o, streams]): Argv => [
        'XREADGROUP',
        'GROUP',
        g,
        c,
        ...o,
        'STREAMS',
        ...streams.map(([k]) => k),
        ...streams.map(([, i]) => i),
      ]),
  },
  { weight: 2, arbitrary: fc.tuple(key, group, ids).map(([k, g, i]): Argv => ['XACK', k, g, ...i]) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        key,
        group,
        fc.constantFrom<Argv>(
          [],
          ['-', '+', '10'],
          ['IDLE', '0', '-', '+', '5'],
          ['(1-0', '+', '2'],
          ['-', '+', '10', 'bob'],
          ['-', '+', '-1'],
          ['-', '+'],
          ['IDLE', 'x', '-', '+', '1'],
        ),
      )
      .map(([k, g, o]): Argv => ['XPENDING', k, g, ...o]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        key,
        group,
        consumer,
        fc.constantFrom('0', '-5', 'x'),
        ids,
        fc.constantFrom<Argv>(
          [],
          ['JUSTID'],
          ['FORCE'],
          ['FORCE', 'JUSTID'],
          ['RETRYCOUNT', '7'],
          ['LASTID', '9-0'],
          ['BOGUS'],
          ['TIME', 'x'],
        ),
      )
      .map(([k, g, c, idle, i, o]): Argv => ['XCLAIM', k, g, c, idle, ...i, ...o]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        key,
        group,
        consumer,
        fc.constantFrom('0', '(0-1', '3-0', 'x'),
        fc.constantFrom<Argv>([], ['COUNT', '1'], ['COUNT', '2', 'JUSTID'], ['COUNT', '0'], ['BAD']),
      )
      .map(([k, g, c, start, o]): Argv => ['XAUTOCLAIM', k, g, c, '0', start, ...o]),
  },
  fc.tuple(key).map(([k]): Argv => ['XINFO', 'GROUPS', k]),
  fc.tuple(key, group).map(([k, g]): Argv => ['XINFO', 'CONSUMERS', k, g]),
  fc.tuple(key).map(([k]): Argv => ['XINFO', 'STREAM', k, 'FULL']),
  fc.tuple(key).map(([k]): Argv => ['XINFO', 'STREAM', k]),
  fc.constantFrom<Argv>(
    ['SET', 'str', 'x'],
    ['DEL', 't'],
    ['XGROUP', 'HELP'],
    ['XGROUP', 'FOO', 's', 'g'],
    ['XREADGROUP', 'STREAMS', 's', '>'],
  ),
);

/** Clock values in a reply are each server's own: masked where the command shows them. */
function mask(argv: Argv, value: Value): Value {
  const name = showArgv(argv.slice(0, 2)).toUpperCase();
  const zero: Value = { type: 'integer', value: 0n };
  const maskTimes = (v: Value): Value => {
    if (v.type === 'integer') return v.value > 1_000_000_000_000n ? zero : v;
    if (v.type === 'array') return { ...v, items: v.items.map(maskTimes) };
    if (v.type === 'map')
      return { ...v, entries: v.entries.map(([k, x]) => [k, maskKeyed(k, x)] as [Value, Value]) };
    return v;
  };
  // XINFO CONSUMERS' idle: a map (RESP3) or a flat array (RESP2) with "idle" before it.
  const maskKeyed = (k: Value, x: Value): Value =>
    k.type === 'bulk' && k.bytes.toString() === 'idle' ? zero : maskTimes(x);
  const maskFlat = (v: Value): Value => {
    if (v.type !== 'array') return maskTimes(v);
    const items = v.items.map((item, i) => {
      const before = v.items[i - 1];
      return before !== undefined && before.type === 'bulk' && before.bytes.toString() === 'idle'
        ? zero
        : maskFlat(item);
    });
    return { ...v, items };
  };
  if (name.startsWith('XPENDING') && value.type === 'array' && argv.length > 3) {
    // Extended form: [id, consumer, idle, deliveries] per entry.
    return {
      ...value,
      items: value.items.map((e) =>
        e.type === 'array' ? { ...e, items: e.items.map((x, i) => (i === 2 ? zero : x)) } : e,
      ),
    };
  }
  if (name.startsWith('XINFO')) return maskFlat(value);
  return value;
}

const FIXED_SEED = 4242;
const RUNS = numRuns(30);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: stream consumer groups differential against redis-server',
  (transport) => {
    const both = useBothServers(transport);

    it.each([2, 3] as const)(
      'answers random consumer-group sequences as Redis does, in RESP%s, and takes its DUMP of the groups back',
      async (protocol) => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(command, { minLength: 1, maxLength: 40 }),
            fc.context(),
            async (requests, ctx) => {
              for (const c of [both.lite, both.real]) {
                await c.call(['HELLO', String(protocol)]);
                await c.call(['FLUSHALL']);
              }
              for (const argv of requests) {
                const expected = respBytes(mask(argv, decodeResp(await both.real.call(argv)))).toString(
                  'latin1',
                );
                const actual = respBytes(mask(argv, decodeResp(await both.lite.call(argv)))).toString(
                  'latin1',
                );
                ctx.log(`${showArgv(argv)} -> ${JSON.stringify(expected)}`);
                expect(actual, showArgv(argv)).toBe(expected);
              }
              for (const k of ['s', 't']) {
                const dump = decodeResp(await both.real.call(['DUMP', k]));
                if (dump.type !== 'bulk') continue;
                await both.lite.call(['DEL', k]);
                expect(decodeResp(await both.lite.call(['RESTORE', k, '0', dump.bytes]))).toEqual({
                  type: 'status',
                  text: 'OK',
                });
                expect(decodeResp(await both.lite.call(['DUMP', k])), `DUMP ${k}`).toEqual(dump);
              }
            },
          ),
          fcParameters(RUNS, FIXED_SEED),
        );
      },
      timeoutFor(RUNS, 2000),
    );

    it('answers a PEL of hundreds of entries (many chunks of the arena PEL) as Redis does, and its DUMP back', async () => {
      // Entries 1..600 read by alice and bob, every third acknowledged, some claimed by carol one by one and by
      // XAUTOCLAIM from the middle, some deleted from the stream, bob deleted: each step's reply compared.
      const requests: Argv[] = [['FLUSHALL']];
      for (let i = 1; i <= 600; i++) requests.push(['XADD', 's', `${i}-0`, 'f', `v${i}`]);
      requests.push(['XGROUP', 'CREATE', 's', 'g', '0']);
      requests.push(['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '250', 'STREAMS', 's', '>']);
      requests.push(['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '300', 'STREAMS', 's', '>']);
      requests.push(['XACK', 's', 'g', ...Array.from({ length: 183 }, (_, k) => `${3 * k + 1}-0`)]);
      for (let i = 2; i <= 540; i += 7) requests.push(['XCLAIM', 's', 'g', 'carol', '0', `${i}-0`, 'JUSTID']);
      requests.push(['XDEL', 's', ...Array.from({ length: 40 }, (_, k) => `${10 * k + 5}-0`)]);
      requests.push(['XAUTOCLAIM', 's', 'g', 'dave', '0', '200-0', 'COUNT', '60', 'JUSTID']);
      requests.push(['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '100', 'STREAMS', 's', '>']);
      requests.push(['XPENDING', 's', 'g']);
      requests.push(['XPENDING', 's', 'g', '-', '+', '1000']);
      requests.push(['XPENDING', 's', 'g', '(100-0', '450', '70', 'bob']);
      requests.push(['XREADGROUP', 'GROUP', 'g', 'carol', 'COUNT', '30', 'STREAMS', 's', '150-0']);
      requests.push(['XINFO', 'CONSUMERS', 's', 'g']);
      requests.push(['XGROUP', 'DELCONSUMER', 's', 'g', 'bob']);
      requests.push(['XPENDING', 's', 'g']);
      requests.push(['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0']);
      requests.push(['XGROUP', 'CREATE', 's', 'h', '0']);
      requests.push(['XREADGROUP', 'GROUP', 'h', 'erin', 'STREAMS', 's', '>']);
      requests.push(['XGROUP', 'DESTROY', 's', 'h']);
      for (const argv of requests) {
        const expected = respBytes(mask(argv, decodeResp(await both.real.call(argv)))).toString('latin1');
        const actual = respBytes(mask(argv, decodeResp(await both.lite.call(argv)))).toString('latin1');
        expect(actual, showArgv(argv)).toBe(expected);
      }
      const dump = decodeResp(await both.real.call(['DUMP', 's']));
      await both.lite.call(['DEL', 's']);
      await both.lite.call(['RESTORE', 's', '0', (dump as { bytes: Buffer }).bytes]);
      expect(decodeResp(await both.lite.call(['DUMP', 's']))).toEqual(dump);
      await both.lite.call(['COPY', 's', 'copy']);
      await both.lite.call(['XACK', 's', 'g', '2-0']);
      expect(decodeResp(await both.lite.call(['DUMP', 'copy']))).toEqual(dump);
    });
  },
);
