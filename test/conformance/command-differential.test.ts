// The COMMAND family against redis-server 7.0.15, for every transport, in RESP2 and in RESP3 (HELLO 3): COMMAND
// INFO and COMMAND DOCS of each command we have (what redis-cli 7 reads at start-up for its hints), every one of
// them byte for byte; COMMAND, INFO and DOCS without names; COMMAND LIST and its filters; COUNT; HELP and the errors.
// Two things cannot be byte for byte and are compared after a normalisation: Redis lists commands and a
// container's subcommands in its dict's order, which a random hash seed shuffles at each start (so those lists
// are compared as sets), and Redis has commands we lack (so its lists are cut to ours; a command we lack is
// absent, which is right). We have two subcommands Redis 7.0 lacks (7.2's CLIENT SETINFO and CLIENT NO-TOUCH),
// left out of the comparison. GETKEYS and GETKEYSANDFLAGS: command-keys-differential.test.ts. Skipped when
// redis-server is not on PATH.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { decodeResp, respBytes, type LiveClient, type Value } from '../support/live-harness.js';
import { transports } from '../support/server.js';

/** Ours and not Redis 7.0.15's. */
const NOT_IN_REDIS_7_0 = new Set(['client|setinfo', 'client|no-touch']);

const text = (value: Value): string => {
  if (value.type !== 'bulk') throw new Error(`expected a bulk, got ${JSON.stringify(value)}`);
  return value.bytes.toString('latin1');
};
const items = (value: Value): readonly Value[] => {
  if (value.type !== 'array' && value.type !== 'set')
    throw new Error(`expected an array: ${JSON.stringify(value)}`);
  return value.items;
};
/** A map's entries: RESP3's map, or RESP2's flattened [name, value, ...] array. */
function entries(value: Value): (readonly [Value, Value])[] {
  if (value.type === 'map') return [...value.entries];
  const flat = items(value);
  return Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]] as const);
}
const mapLike = (like: Value, pairs: readonly (readonly [Value, Value])[]): Value =>
  like.type === 'map' ? { type: 'map', entries: pairs } : { type: 'array', items: pairs.flat() };
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * COMMAND INFO's entry of one command with its subcommands (its tenth element, when an array) cut to `keep` and
 * sorted by name, each normalised the same way: what is left is compared byte for byte.
 */
function normalInfo(info: Value, keep: (name: string) => boolean): Value {
  if (info.type !== 'array' || info.items[9]?.type !== 'array') return info;
  const subcommands = info.items[9].items
    .filter((sub) => keep(text(items(sub)[0])))
    .map((sub) => normalInfo(sub, keep))
    .sort((a, b) => byName(text(items(a)[0]), text(items(b)[0])));
  return { type: 'array', items: [...info.items.slice(0, 9), { type: 'array', items: subcommands }] };
}

/** COMMAND DOCS's map of one command, its "subcommands" map cut and sorted as normalInfo's. */
function normalDocs(docs: Value, keep: (name: string) => boolean): Value {
  return mapLike(
    docs,
    entries(docs).map(([field, value]) => {
      if (text(field) !== 'subcommands') return [field, value] as const;
      const subs = entries(value)
        .filter(([name]) => keep(text(name)))
        .map(([name, sub]) => [name, normalDocs(sub, keep)] as const)
        .sort(([a], [b]) => byName(text(a), text(b)));
      return [field, mapLike(value, subs)] as const;
    }),
  );
}

const bytesOf = (value: Value): string => respBytes(value).toString('latin1');

async function names(client: LiveClient, ...filter: string[]): Promise<string[]> {
  return items(decodeResp(await client.call(['COMMAND', 'LIST', ...filter]))).map(text);
}

/** COMMAND LIST's filters, each of Redis's ACL categories (and one it lacks, one in upper case), and patterns. */
const FILTERS: readonly (readonly string[])[] = [
  ...['keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog']
    .concat(['geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection'])
    .concat(['transaction', 'scripting', 'nosuchcategory', 'CONNECTION'])
    .map((category) => ['ACLCAT', category]),
  ...['*', 'client|*', '*get*', 'h?et', '[a-c]*', 'CONFIG|G*', 'nomatch'].map((pattern) => [
    'PATTERN',
    pattern,
  ]),
];

/** Requests whose replies must be byte for byte Redis's: help, errors, lookups of unknown names. */
const EXACT: readonly (readonly string[])[] = [
  ['COMMAND', 'HELP'],
  ['COMMAND', 'COUNT', 'x'],
  ['COMMAND', 'NOSUCH'],
  ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'nosuchmodule'],
  ['COMMAND', 'LIST', 'FILTERBY', 'NOSUCH', 'x'],
  ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT'],
  ['COMMAND', 'LIST', 'nosuch'],
  ['COMMAND', 'INFO', 'nosuch', 'GET', 'Client|List', 'client|nosuch', 'client|'],
  ['COMMAND', 'DOCS', 'nosuch', 'GET', 'get', 'config|GET', '|'],
  ['COMMAND', 'DOCS', 'nosuch'],
];

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: COMMAND as redis-server 7.0.15',
  (transport) => {
    const both = useBothServers(transport);

    describe.each([2, 3])('RESP%i', (protocol) => {
      /** Both connections speak `protocol` (HELLO's own reply differs: server name and version). */
      const speak = async (): Promise<void> => {
        for (const client of [both.lite, both.real]) {
          const hello = decodeResp(await client.call(['HELLO', String(protocol)]));
          expect(hello.type).toBe(protocol === 3 ? 'map' : 'array');
        }
      };

      it("COMMAND INFO and COMMAND DOCS of each of our commands and subcommands are byte for byte Redis's", async () => {
        await speak();
        const ours = (await names(both.lite)).filter((name) => !NOT_IN_REDIS_7_0.has(name));
        const keep = (name: string) => ours.includes(name);
        const requests = ours.flatMap((name) => [
          ['COMMAND', 'INFO', name],
          ['COMMAND', 'DOCS', name],
        ]);
        const [mine, theirs] = await Promise.all([
          both.lite.pipeline(requests),
          both.real.pipeline(requests),
        ]);
        for (let i = 0; i < requests.length; i++) {
          const request = requests[i].join(' ');
          if (mine[i].equals(theirs[i])) continue;
          // Only a container may differ, by the order (or set) of its subcommands.
          const single = (reply: Buffer): Value => {
            const list = decodeResp(reply);
            return requests[i][1] === 'INFO'
              ? normalInfo(items(list)[0], keep)
              : normalDocs(entries(list)[0][1], keep);
          };
          expect(`${request} -> ${bytesOf(single(mine[i]))}`).toBe(
            `${request} -> ${bytesOf(single(theirs[i]))}`,
          );
        }
      });

      it('COMMAND, COMMAND INFO and COMMAND DOCS without names describe each of our commands as Redis does', async () => {
        await speak();
        const ours = (await names(both.lite)).filter((name) => !NOT_IN_REDIS_7_0.has(name));
        const keep = (name: string) => ours.includes(name);
        const count = Number(
          (decodeResp(await both.lite.call(['COMMAND', 'COUNT'])) as { value: bigint }).value,
        );
        for (const request of [['COMMAND'], ['COMMAND', 'INFO']]) {
          const [mine, theirs] = await Promise.all([both.lite.value(request), both.real.value(request)]);
          const described = (list: Value) =>
            new Map(items(list).map((info) => [text(items(info)[0]), bytesOf(normalInfo(info, keep))]));
          const redis = described(theirs);
          expect(items(mine).length).toBe(count);
          for (const [name, info] of described(mine))
            expect(`${name}: ${info}`).toBe(`${name}: ${redis.get(name)}`);
        }
        const [mine, theirs] = await Promise.all([
          both.lite.value(['COMMAND', 'DOCS']),
          both.real.value(['COMMAND', 'DOCS']),
        ]);
        const redis = new Map(
          entries(theirs).map(([name, docs]) => [text(name), bytesOf(normalDocs(docs, keep))]),
        );
        expect(entries(mine).length).toBe(count);
        for (const [name, docs] of entries(mine))
          expect(`${text(name)}: ${bytesOf(normalDocs(docs, keep))}`).toBe(
            `${text(name)}: ${redis.get(text(name))}`,
          );
      });

      it("COMMAND LIST, filtered or not, is Redis's list cut to our commands; COUNT counts our commands", async () => {
        await speak();
        const ours = await names(both.lite);
        const count = decodeResp(await both.lite.call(['COMMAND', 'COUNT']));
        expect(count).toEqual({
          type: 'integer',
          value: BigInt(ours.filter((name) => !name.includes('|')).length),
        });
        const redisAll = new Set(await names(both.real));
        expect(ours.filter((name) => !redisAll.has(name)).sort()).toEqual([...NOT_IN_REDIS_7_0].sort());
        for (const filter of [[], ...FILTERS.map((f) => ['FILTERBY', ...f])]) {
          const redis = new Set(await names(both.real, ...filter));
          const mine = (await names(both.lite, ...filter)).filter((name) => !NOT_IN_REDIS_7_0.has(name));
          expect([filter.join(' '), ...mine.sort()]).toEqual([
            filter.join(' '),
            ...ours.filter((n) => redis.has(n)).sort(),
          ]);
        }
      });

      it('answers COMMAND HELP, unknown names and bad syntax byte for byte as Redis', async () => {
        await speak();
        for (const request of EXACT) {
          const [mine, theirs] = await Promise.all([both.lite.call(request), both.real.call(request)]);
          expect(`${request.join(' ')} -> ${mine.toString('latin1')}`).toBe(
            `${request.join(' ')} -> ${theirs.toString('latin1')}`,
          );
        }
      });
    });
  },
);
