// SCAN, SSCAN, HSCAN and ZSCAN's cursor and options against redis-server 7.0, for every transport: every option
// list below after each command, on a key (or database) whose scan reply is deterministic in both servers (one
// key; an intset; a listpack hash and sorted set: returned whole, cursor 0), on a missing key and on a key of
// another type, replies compared byte for byte. So the four commands, which share one option parser
// (src/core/commands/scan-args.ts), show any drift from Redis in COUNT's range and syntax, repeated options,
// missing values, TYPE outside SCAN, and in which comes first of a lookup and a bad option.
// Skipped when redis-server is not on PATH.

import { beforeAll, describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { transports } from '../support/server.js';
import { step, stepBoth } from '../support/script-step.js';

/** Option lists, each sent after a command's cursor. */
const OPTIONS: readonly string[][] = [
  [],
  ['COUNT', '0'],
  ['COUNT', '-1'],
  ['COUNT', '2'],
  ['count', '10'],
  ['COUNT', '2147483647'],
  ['COUNT', '2147483648'],
  ['COUNT', '9223372036854775807'],
  ['COUNT', '9223372036854775808'],
  ['COUNT', '-9223372036854775808'],
  ['COUNT', '99999999999999999999999'],
  ['COUNT', '1.5'],
  ['COUNT', 'abc'],
  ['COUNT', ''],
  ['COUNT', ' 5'],
  ['COUNT', '+5'],
  ['COUNT', '5', 'COUNT', '7'],
  ['COUNT', '5', 'COUNT', '0'],
  ['COUNT', '0', 'COUNT', '5'],
  ['COUNT', 'abc', 'MATCH'],
  ['COUNT', '0', 'MATCH'],
  ['COUNT'],
  ['COUNT', '5', 'MATCH'],
  ['MATCH'],
  ['MATCH', '*'],
  ['mAtCh', 'nomatch*'],
  ['MATCH', '[a-z]*'],
  ['MATCH', 'x', 'MATCH', '*'],
  ['MATCH', '*', 'MATCH', 'nomatch'],
  ['MATCH', 'nomatch', 'COUNT', '0'],
  ['TYPE'],
  ['TYPE', 'string'],
  ['TYPE', 'STRING'],
  ['TYPE', 'list'],
  ['TYPE', 'nosuchtype'],
  ['TYPE', 'list', 'TYPE', 'string'],
  ['TYPE', 'string', 'COUNT', '0'],
  ['FOO'],
  ['FOO', 'bar'],
  ['COUNT', '5', 'FOO', 'bar'],
];

/**
 * Cursors read before anything else. Not here: '-1' and '' (Redis 7.0 reads a cursor with strtoul, which takes
 * both; redis-lite rejects them as Redis 7.2's string2ull does: INTENDED_DIFFERENCES in differential.test.ts).
 */
const CURSORS: readonly string[] = ['abc', ' 0', '0 ', '18446744073709551616', '+0', '000'];

/** Database 9 holds one key of each type, database 10 exactly one (SCAN's whole reply is then that key). */
const SETUP: readonly string[][] = [
  ['FLUSHALL'],
  ['SELECT', '10'],
  ['SET', 'only', 'v'],
  ['SELECT', '9'],
  ['SET', 'str', 'v'],
  ['SADD', 'iset', '3', '1', '2'],
  ['HSET', 'hash', 'f1', 'v1', 'g2', 'v2'],
  ['ZADD', 'zset', '2', 'b', '1', 'a'],
];

/** SSCAN, HSCAN and ZSCAN up to the cursor: on a key whose step is deterministic, a missing one, a string. */
function keyScans(cursor: string): string[][] {
  const prefixes: string[][] = [];
  for (const [command, key] of [
    ['SSCAN', 'iset'],
    ['HSCAN', 'hash'],
    ['ZSCAN', 'zset'],
  ]) {
    prefixes.push([command, key, cursor], [command, 'missing', cursor], [command, 'str', cursor]);
  }
  return prefixes;
}

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: SCAN family options as redis-server 7.0',
  (transport) => {
    const both = useBothServers(transport);
    beforeAll(async () => {
      for (const argv of SETUP) expect(await step(both.mine, [argv])).toBe(await step(both.theirs, [argv]));
    });

    async function compare(argv: string[]): Promise<void> {
      const replies = await stepBoth(both.theirs, both.mine, [argv]);
      expect(replies.mine).toBe(replies.theirs);
    }

    /** Runs `work` with both connections in database `db`, then back in database 9. */
    async function inDatabase(db: string, work: () => Promise<void>): Promise<void> {
      await step(both.theirs, [['SELECT', db]]);
      await step(both.mine, [['SELECT', db]]);
      try {
        await work();
      } finally {
        await step(both.theirs, [['SELECT', '9']]);
        await step(both.mine, [['SELECT', '9']]);
      }
    }

    it('reads every option list as Redis does on a key of each scanned type, a missing key, another type', async () => {
      for (const prefix of keyScans('0')) {
        for (const options of OPTIONS) await compare([...prefix, ...options]);
      }
    });

    it('reads every option list as Redis does on SCAN, in a database of one key (a step returns it whole)', async () => {
      await inDatabase('10', async () => {
        for (const options of OPTIONS) await compare(['SCAN', '0', ...options]);
      });
    });

    it('checks the cursor before the key and the options', async () => {
      for (const cursor of CURSORS) {
        for (const prefix of keyScans(cursor)) {
          await compare(prefix);
          await compare([...prefix, 'COUNT', '0']);
        }
      }
      await inDatabase('10', async () => {
        for (const cursor of CURSORS) {
          await compare(['SCAN', cursor]);
          await compare(['SCAN', cursor, 'COUNT', '0']);
        }
      });
    });
  },
);
