// DUMP of a list against redis-server 7.0, byte for byte, on every transport: random histories of LPUSH, RPUSH,
// LINSERT, pops, LSET, LREM and LTRIM over one list, with elements of every listpack size (small and large
// integers, short strings, strings of hundreds of bytes), under list-max-listpack-size -2 (8 KB nodes, the default)
// and 5 (five elements a node). Redis's quicklist nodes follow the list's history (quicklist.c
// _quicklistNodeAllowInsert for pushes at either end, _quicklistInsert's split and merges for LINSERT), and DUMP
// writes one listpack per node: so the payloads match only if the nodes split where Redis's do. A fixed seed in the
// suite (FC_SEED=random soaks: live-harness.ts fcParameters). Skipped without redis-server.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import {
  decodeResp,
  fcParameters,
  numRuns,
  showArgv,
  timeoutFor,
  type Arg,
  type LiveClient,
} from '../support/live-harness.js';
import { transports } from '../support/server.js';

type Argv = readonly Arg[];

/** Elements of each listpack entry size: 7-bit to 64-bit integers, strings with 1-, 2- and (past 4 KB) 5-byte headers. */
const element = fc.oneof(
  fc.constantFrom<Arg>(
    '1',
    '-5',
    '4000',
    '-32000',
    '8000000',
    '2000000000',
    '9000000000000000000',
    '012',
    'x',
  ),
  fc.integer({ min: 1, max: 1500 }).map((n): Arg => 'v'.repeat(n)),
  fc.integer({ min: 0, max: 99999 }).map((n): Arg => String(n)),
);
const elements = fc.array(element, { minLength: 1, maxLength: 12 });
const pivot = fc.constantFrom<Arg>('1', 'x', '4000', 'v'.repeat(5), 'missing');
const index = fc.integer({ min: -30, max: 30 }).map(String);

const step: fc.Arbitrary<Argv> = fc.oneof(
  { weight: 4, arbitrary: elements.map((es): Argv => ['LPUSH', 'l', ...es]) },
  { weight: 4, arbitrary: elements.map((es): Argv => ['RPUSH', 'l', ...es]) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom<Arg>('BEFORE', 'AFTER'), pivot, element)
      .map(([where, p, e]): Argv => ['LINSERT', 'l', where, p, e]),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }).map((n): Argv => ['LPOP', 'l', String(n)]) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }).map((n): Argv => ['RPOP', 'l', String(n)]) },
  { weight: 1, arbitrary: fc.tuple(index, element).map(([i, e]): Argv => ['LSET', 'l', i, e]) },
  { weight: 1, arbitrary: fc.tuple(index, pivot).map(([n, p]): Argv => ['LREM', 'l', n, p]) },
  { weight: 1, arbitrary: fc.tuple(index, index).map(([a, b]): Argv => ['LTRIM', 'l', a, b]) },
);

/** Starts the list again, replays `history`, and returns the list's DUMP after every step. */
async function dumps(client: LiveClient, history: readonly Argv[]): Promise<string[]> {
  const replies = await client.pipeline([['DEL', 'l'], ...history.flatMap((argv) => [argv, ['DUMP', 'l']])]);
  return history.map((argv, i) => `${showArgv(argv)} -> ${replies[2 + 2 * i].toString('hex')}`);
}

/** `history` on key r instead of l. */
const onKey = (key: string, history: readonly Argv[]): Argv[] =>
  history.map(([name, , ...rest]) => [name, key, ...rest]);

/**
 * Builds l on redis-server, RESTOREs its DUMP as r on both servers under list-max-listpack-size `fill`, then
 * replays `after` on r and reloads both servers' data from their RDB files (DEBUG RELOAD): r's DUMP after each
 * step, and l's after the reload, as each server gives them.
 */
async function restored(
  client: LiveClient,
  payload: Buffer,
  fill: string,
  after: readonly Argv[],
): Promise<string[]> {
  const replies = await client.pipeline([
    ['CONFIG', 'SET', 'list-max-listpack-size', fill],
    ['RESTORE', 'r', '0', payload, 'REPLACE'],
    ['DUMP', 'r'],
    ...onKey('r', after).flatMap((argv) => [argv, ['DUMP', 'r']]),
    ['DEBUG', 'RELOAD'],
    ['DUMP', 'r'],
    ['DUMP', 'l'],
  ]);
  const reload = replies[replies.length - 3].toString('latin1');
  if (reload !== '+OK\r\n') throw new Error(`DEBUG RELOAD answered ${reload}`);
  return replies.slice(1).map((reply) => reply.toString('hex'));
}

const FIXED_SEED = 7031;
const RUNS = numRuns(40);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: DUMP of a list, as Redis 7.0 splits it',
  (transport) => {
    for (const fill of ['-2', '5']) {
      describe(`list-max-listpack-size ${fill}`, () => {
        const both = useBothServers(transport, {
          settings: { 'list-max-listpack-size': fill, 'enable-debug-command': 'yes' },
          ownDirs: true, // DEBUG RELOAD writes an RDB file
        });

        it(
          'gives Redis bytes after any history of pushes, inserts and removals',
          async () => {
            await fc.assert(
              fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (history) => {
                const [theirs, ours] = await Promise.all([
                  dumps(both.real, history),
                  dumps(both.lite, history),
                ]);
                expect(ours).toEqual(theirs);
              }),
              fcParameters(RUNS, FIXED_SEED),
            );
          },
          timeoutFor(RUNS, 500),
        );

        it(
          "keeps the nodes of Redis's DUMP through RESTORE and an RDB reload, under any fill, and pushes after it",
          async () => {
            await fc.assert(
              fc.asyncProperty(
                fc.array(step, { minLength: 1, maxLength: 30 }),
                fc.constantFrom('-2', '5', '1', '-1', '3'),
                fc.array(step, { maxLength: 8 }),
                async (history, restoreFill, after) => {
                  await Promise.all(
                    [both.real, both.lite].map((c) =>
                      c.pipeline([['FLUSHALL'], ['CONFIG', 'SET', 'list-max-listpack-size', fill]]),
                    ),
                  );
                  const built = await both.real.pipeline([...history, ['DUMP', 'l']]);
                  const payload = built[built.length - 1];
                  if (payload.toString('latin1') === '$-1\r\n') return; // the history emptied the list
                  const bulk = decodeResp(payload);
                  if (bulk.type !== 'bulk') throw new Error(`DUMP answered ${payload.toString('latin1')}`);
                  await both.lite.pipeline([['RESTORE', 'l', '0', bulk.bytes]]);
                  const [theirs, ours] = await Promise.all([
                    restored(both.real, bulk.bytes, restoreFill, after),
                    restored(both.lite, bulk.bytes, restoreFill, after),
                  ]);
                  expect(ours).toEqual(theirs);
                },
              ),
              fcParameters(RUNS, FIXED_SEED),
            );
          },
          timeoutFor(RUNS, 500),
        );
      });
    }
  },
);
