// Differential test of RESTORE and RDB reloading of hashes and sorted sets against redis-server 7.0, for every
// transport: a hash or sorted set is built on redis-server under one pair of listpack limits (entries, value),
// its DUMP is restored on both servers under another pair, and then written to and reloaded (DEBUG RELOAD);
// OBJECT ENCODING and DUMP must match byte for byte after each step. Redis keeps a listpack payload as a
// listpack when it is within the entries limit, however long its values (rdbLoadObject checks the count only:
// store/listpack-load.ts), and converts on a later write only by what that write adds.

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

/** Values around the default value limit of 64 bytes. */
const text = fc.oneof(
  fc.constantFrom('a', 'b', 'c', '1', '2', '300', 'field'),
  fc.integer({ min: 60, max: 70 }).map((n) => 'v'.repeat(n)),
  fc.integer({ min: 100, max: 300 }).map((n) => 'w'.repeat(n)),
);
const entriesLimit = fc.constantFrom('2', '4', '128');
const valueLimit = fc.constantFrom('8', '64', '1000');

interface Family {
  readonly name: 'hash' | 'zset';
  /** The CONFIG names of its limits. */
  readonly entries: string;
  readonly value: string;
  /** A write that adds `count` entries from `texts`. */
  readonly write: (texts: readonly string[]) => Argv;
}

const FAMILIES: readonly Family[] = [
  {
    name: 'hash',
    entries: 'hash-max-listpack-entries',
    value: 'hash-max-listpack-value',
    write: (texts) => ['HSET', 'k', ...texts.flatMap((t, i) => [t, String(i)])],
  },
  {
    name: 'zset',
    entries: 'zset-max-listpack-entries',
    value: 'zset-max-listpack-value',
    write: (texts) => ['ZADD', 'k', ...texts.flatMap((t, i) => [String(i), t])],
  },
];

const limits = (family: Family, entries: string, value: string): Argv[] => [
  ['CONFIG', 'SET', family.entries, entries],
  ['CONFIG', 'SET', family.value, value],
];

/** Restores `payload` as k under the given limits, writes `later`, reloads: each step's encoding and DUMP. */
async function afterRestore(
  client: LiveClient,
  family: Family,
  payload: Buffer,
  entries: string,
  value: string,
  later: readonly string[][],
): Promise<string[]> {
  const probe: Argv[] = [
    ['OBJECT', 'ENCODING', 'k'],
    ['DUMP', 'k'],
    ['HGETALL', 'k'],
  ];
  const requests: Argv[] = [
    ['FLUSHALL'],
    ...limits(family, entries, value),
    ['RESTORE', 'k', '0', payload],
    ...probe,
  ];
  for (const texts of later) requests.push(family.write(texts), ...probe);
  requests.push(['DEBUG', 'RELOAD'], ...probe);
  const replies = await client.pipeline(requests);
  const out: string[] = [];
  for (let i = 0; i < requests.length; i++) {
    const shown = showArgv(requests[i]).slice(0, 60);
    if (requests[i][0] === 'HGETALL') continue;
    if (requests[i][0] === 'DUMP' && replies[i - 1].toString('latin1').includes('hashtable')) {
      // A hash table's DUMP lists its fields in its dict's order, which Redis's random hash seed sets.
      out.push(`${shown} -> fields ${unordered(replies[i + 1])}`);
      continue;
    }
    out.push(`${shown} -> ${replies[i].toString('hex')}`);
  }
  return out;
}

/** HGETALL's pairs, sorted. */
function unordered(reply: Buffer): string {
  const value = decodeResp(reply);
  if (value.type !== 'array') return reply.toString('latin1');
  const flat = value.items.map((item) => (item.type === 'bulk' ? item.bytes.toString('latin1') : '?'));
  const pairs: string[] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
  return pairs.sort().join(',');
}

const FIXED_SEED = 6113;
const RUNS = numRuns(25);

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: RESTORE of hashes and sorted sets built under other listpack limits',
  (transport) => {
    const both = useBothServers(transport, { ownDirs: true, settings: { 'enable-debug-command': 'yes' } });

    it.each(FAMILIES)(
      'keeps the encoding Redis 7.0 keeps: $name',
      async (family) => {
        await fc.assert(
          fc.asyncProperty(
            fc.tuple(entriesLimit, valueLimit),
            fc.array(text, { minLength: 1, maxLength: 6 }),
            fc.tuple(entriesLimit, valueLimit),
            fc.array(fc.array(text, { minLength: 1, maxLength: 2 }), { maxLength: 3 }),
            async ([builtEntries, builtValue], texts, [entries, value], later) => {
              await both.real.pipeline([
                ['FLUSHALL'],
                ...limits(family, builtEntries, builtValue),
                family.write(texts),
              ]);
              const dump = decodeResp(await both.real.call(['DUMP', 'k']));
              if (dump.type !== 'bulk') throw new Error('DUMP of the built key answered no payload');
              const [theirs, ours] = await Promise.all([
                afterRestore(both.real, family, dump.bytes, entries, value, later),
                afterRestore(both.lite, family, dump.bytes, entries, value, later),
              ]);
              expect(ours).toEqual(theirs);
            },
          ),
          fcParameters(RUNS, FIXED_SEED),
        );
      },
      timeoutFor(RUNS, 400),
    );
  },
);
