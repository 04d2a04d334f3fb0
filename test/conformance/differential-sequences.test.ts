// Sequence differential against redis-server 7.0, for every transport: random sequences of well-formed commands of
// every type over three shared keys (sequence-commands.ts), so types collide (WRONGTYPE), encodings convert (the
// listpack and intset limits lowered to 4 entries and 8 bytes), keys expire by the clock (PEXPIRE of 1-3 ms) and
// by command (EXPIREAT in the past, PERSIST), transactions hold queue-time and run-time errors, and blocking pops
// time out after 0.01 s. After every request outside MULTI, OBJECT ENCODING of each key; after every sequence,
// TYPE and DUMP of each key, SCAN and INFO keyspace. Replies are compared byte for byte, except:
// - a time left or deadline that counts down from now (TTL, PTTL, EXPIRETIME, PEXPIRETIME): by its sign only;
//   OBJECT IDLETIME not at all (a shared integer's is every holder's in Redis: README);
// - what lists a hash table in its table's order (README's intended differences): a hashtable hash's HGETALL,
//   HKEYS, HVALS and HSCAN page, a skiplist sorted set's ZSCAN page and a hashtable set's members (sorted),
//   SCAN's keys (sorted), and the DUMP of a hashtable set or hash (by its length);
// - INFO keyspace's avg_ttl (always 0 here: README), and CLIENT INFO's ids, addresses, ages and buffer figures
//   (its flags, multi= and cmd are compared).
// In the suite each property runs a fixed seed (fcParameters); a soak draws new ones:
//   FC_SEED=random FC_NUM_RUNS=2000 TEST_TRANSPORTS=eventloop npx vitest run test/conformance/differential-sequences.test.ts
// Skipped with a message when redis-server is not on PATH.

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
  type LiveClient,
  type Value,
} from '../support/live-harness.js';
import { transports } from '../support/server.js';
import {
  SEQUENCE_KEYS,
  SEQUENCE_SETTINGS,
  SHORT_EXPIRY,
  sequenceCommand,
  type Argv,
} from './sequence-commands.js';
import { normalizeSetReply } from './set-commands.js';

const MASK: Value = { type: 'status', text: '(masked)' };
const upper = (arg: Argv[number] | undefined): string =>
  arg === undefined ? '' : Buffer.from(arg).toString('latin1').toUpperCase();
const byBytes = (x: Value, y: Value): number => Buffer.compare(respBytes(x), respBytes(y));
const sortedItems = (value: Value): Value =>
  value.type === 'array' || value.type === 'set'
    ? ({ ...value, items: [...value.items].sort(byBytes) } as Value)
    : value;

/** A positive integer that follows from "now" (a TTL, a deadline, an idle time): masked, its sign kept. */
const countdown = (value: Value): Value => (value.type === 'integer' && value.value > 0n ? MASK : value);

/** The reads that list a hashtable hash, or a skiplist sorted set's dict (ZSCAN), in its table's order. */
const TABLE_ORDER_READS = new Set(['HGETALL', 'HKEYS', 'HVALS', 'HSCAN', 'ZSCAN']);

/** A flat [field, value, ...] array with its pairs sorted by field. */
function hashInPairOrder(value: Value): Value {
  if (value.type !== 'array') return value;
  const pairs: Value[][] = [];
  for (let i = 0; i + 1 < value.items.length; i += 2) pairs.push([value.items[i], value.items[i + 1]]);
  return { ...value, items: pairs.sort(([a], [b]) => byBytes(a, b)).flat() };
}

/**
 * A reply listing a hash table, in an order both servers share: fields (or members) sorted with their values; a
 * SCAN page's pairs sorted (the cursor is 0 on both: COUNT 100 covers these small keys).
 */
function hashInFieldOrder(name: string, value: Value): Value {
  if (value.type === 'map')
    return { ...value, entries: [...value.entries].sort(([a], [b]) => byBytes(a, b)) };
  if (value.type !== 'array') return value;
  if (name === 'HSCAN' || name === 'ZSCAN') return { ...value, items: value.items.map(hashInPairOrder) };
  if (name !== 'HGETALL') return sortedItems(value);
  return hashInPairOrder(value);
}

/** A CLIENT INFO line with what is each server's own masked (ids, addresses, ages, buffers): flags stay. */
const ownFieldsMasked = (line: string): string =>
  line.replace(
    /\b(id|addr|laddr|fd|age|idle|qbuf|qbuf-free|argv-mem|multi-mem|rbs|rbp|obl|oll|omem|tot-mem)=\S*/g,
    '$1=?',
  );

/** RDB object types whose DUMP lists a hash table in table order: a hashtable set and hash. */
const TABLE_ORDERED_DUMP = new Set([2, 4]);

/**
 * One reply normalised as the header says. `hashTable` tells whether the key the command read is a hashtable
 * hash (so its field order is the table's).
 */
function normalize(argv: Argv, value: Value, hashTable: boolean): Value {
  const name = upper(argv[0]);
  if (['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME'].includes(name)) return countdown(value);
  // Idle seconds: Redis's of a shared integer (0 to 9999) are every holder's (README), so not even the sign.
  if (name === 'OBJECT' && upper(argv[1]) === 'IDLETIME' && value.type === 'integer') return MASK;
  if (TABLE_ORDER_READS.has(name) && hashTable) return hashInFieldOrder(name, value);
  if (name === 'DUMP' && value.type === 'bulk' && TABLE_ORDERED_DUMP.has(value.bytes[0]))
    return { type: 'bulk', bytes: Buffer.alloc(value.bytes.length) };
  if (name === 'SCAN' && value.type === 'array' && value.items.length === 2)
    return { ...value, items: [value.items[0], sortedItems(value.items[1])] };
  if (name === 'INFO' && (value.type === 'bulk' || value.type === 'verbatim'))
    return {
      ...value,
      bytes: Buffer.from(value.bytes.toString('latin1').replace(/avg_ttl=\d+/g, 'avg_ttl=0')),
    };
  if (name === 'CLIENT' && (value.type === 'bulk' || value.type === 'verbatim'))
    return { ...value, bytes: Buffer.from(ownFieldsMasked(value.bytes.toString('latin1'))) };
  if (name.startsWith('S')) return normalizeSetReply(name, argv, value);
  return value;
}

/** Whether redis-server holds `key` in a hash table now (hashtable, skiplist): its own answer decides (README). */
async function isHashTable(real: LiveClient, key: Argv[number] | undefined): Promise<boolean> {
  if (key === undefined) return false;
  const encoding = decodeResp(await real.call(['OBJECT', 'ENCODING', key]));
  return encoding.type === 'bulk' && ['hashtable', 'skiplist'].includes(encoding.bytes.toString());
}

const shortExpiryOf = (argv: Argv): number | null => {
  const name = upper(argv[0]);
  const ms = name === 'PEXPIRE' ? argv[2] : name === 'SET' && upper(argv[3]) === 'PX' ? argv[4] : undefined;
  const text = ms === undefined ? '' : Buffer.from(ms).toString();
  return SHORT_EXPIRY.has(text) ? Number(text) : null;
};

const ENCODINGS: Argv[] = SEQUENCE_KEYS.map((k): Argv => ['OBJECT', 'ENCODING', k]);
const AFTER: Argv[] = [
  ...SEQUENCE_KEYS.flatMap((k): Argv[] => [
    ['TYPE', k],
    ['DUMP', k],
  ]),
  ['SCAN', '0', 'COUNT', '100'],
  ['INFO', 'keyspace'],
];

const RUNS = 30;

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: command sequences over shared keys against redis-server',
  (transport) => {
    const both = useBothServers(transport, { settings: SEQUENCE_SETTINGS });

    /** Sends one request to both; returns both replies normalised (RESP bytes as latin1). */
    async function exchange(argv: Argv, queued: Argv[] | null): Promise<[string, string, Value]> {
      const [theirs, ours] = await Promise.all([both.real.call(argv), both.lite.call(argv)]);
      const [t, o] = [decodeResp(theirs), decodeResp(ours)];
      const name = upper(argv[0]);
      const show = (v: Value): string => respBytes(v).toString('latin1');
      if (name === 'EXEC' && queued !== null && t.type === 'array' && o.type === 'array') {
        // Inside EXEC the key a queued read saw may have changed since: hash orders are always compared sorted.
        const each = (items: readonly Value[]): Value => ({
          type: 'array',
          items: items.map((item, i) => normalize(queued[i] ?? ['EXEC'], item, true)),
        });
        return [show(each(t.items)), show(each(o.items)), t];
      }
      // Not inside MULTI: the probe would be queued.
      const hashTable =
        queued === null && TABLE_ORDER_READS.has(name) && (await isHashTable(both.real, argv[1]));
      return [show(normalize(argv, t, hashTable)), show(normalize(argv, o, hashTable)), t];
    }

    it.each([2, 3] as const)(
      'answers random command sequences over three keys as Redis 7.0 does, in RESP%s',
      async (protocol) => {
        const opening: Argv[] = [['RESET'], ...(protocol === 3 ? [['HELLO', '3']] : []), ['FLUSHALL']];
        const parameters = fcParameters(RUNS, 7001 + protocol);
        await fc.assert(
          fc.asyncProperty(
            fc.array(sequenceCommand, { minLength: 1, maxLength: 30 }),
            fc.context(),
            async (requests, ctx) => {
              for (const argv of opening) await Promise.all([both.real.call(argv), both.lite.call(argv)]);
              let queued: Argv[] | null = null;
              const check = async (argv: Argv): Promise<Value> => {
                const [theirs, ours, raw] = await exchange(argv, queued);
                ctx.log(`${showArgv(argv)} -> ${JSON.stringify(theirs)}`);
                expect(ours, showArgv(argv)).toBe(theirs);
                return raw;
              };
              for (const argv of requests) {
                const expiry = shortExpiryOf(argv);
                if (expiry !== null && queued !== null) continue; // would expire at EXEC's moment
                const reply = await check(argv);
                // Both servers stamped the expiry before their replies arrived, so before now.
                const answeredAt = Date.now();
                const name = upper(argv[0]);
                if (name === 'MULTI' && queued === null && reply.type === 'status') queued = [];
                else if (queued !== null && reply.type === 'status' && reply.text === 'QUEUED')
                  queued.push(argv);
                else if (name === 'EXEC' || name === 'DISCARD') queued = null;
                if (queued !== null) continue;
                if (expiry !== null) {
                  // Redis's clock is real: wait until the key's time is past, then look it up on both.
                  while (Date.now() <= answeredAt + expiry + 1)
                    await new Promise((resolve) => setTimeout(resolve, 1));
                  await check(['EXISTS', argv[1]]);
                }
                for (const probe of ENCODINGS) await check(probe);
              }
              if (queued !== null) await check(['DISCARD']);
              for (const argv of AFTER) await check(argv);
            },
          ),
          parameters,
        );
      },
      timeoutFor(numRuns(RUNS), 400),
    );
  },
);
