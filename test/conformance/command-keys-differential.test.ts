// COMMAND GETKEYS and GETKEYSANDFLAGS against redis-server 7.0, for every transport: the key positions (and each
// key's flags: its key spec's, or for SET and BITFIELD what the line does) of command lines of every kind of key
// spec this server has (one key, a range, every other argument, numkeys after the key or first, BLMPOP's numkeys
// after its timeout, a destination before numkeys, two kinds of key, channels that are not keys, subcommands) and
// their errors (no keys, wrong number of arguments, a bad or too large numkeys), in RESP2 and RESP3; then lines of
// 0 to 7 words after each command of ours. Replies compared byte for byte. The same positions are what EXEC and
// the append-only file lock and what a write makes ready for blocked clients (src/core/key-specs.ts
// commandKeys). Skipped when redis-server is not on PATH.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { transports } from '../support/server.js';
import { decodeResp, type LiveClient, type Value } from '../support/live-harness.js';
import { step, stepBoth } from '../support/script-step.js';

/** Command lines, each sent as COMMAND GETKEYS <line>. */
const LINES: readonly string[] = [
  'GET k',
  'GET',
  'GET a b',
  'SET k v EX 10',
  'SET k v GET',
  'SET k v get EX 1',
  'BITFIELD k GET u8 0',
  'BITFIELD k GET u8 0 OVERFLOW SAT INCRBY u8 0 1',
  'BITFIELD k OVERFLOW SAT GET u8 0',
  'BITFIELD k GET u8',
  'BITFIELD_RO k GET u8 0',
  'SETRANGE k 0 v',
  'GETDEL k',
  'MSET a 1 b 2 c 3',
  'MSET a 1 b',
  'MGET a b c',
  'DEL a b',
  'EXISTS a',
  'RENAME a b',
  'COPY a b DB 1 REPLACE',
  'MOVE a 1',
  'OBJECT ENCODING k',
  'OBJECT FREQ k',
  'OBJECT HELP',
  'WATCH a b',
  'BITOP AND d a b',
  'LCS a b',
  'BLPOP a b 0',
  'BRPOPLPUSH a b 0',
  'BLMOVE a b LEFT RIGHT 0',
  'LMOVE a b LEFT RIGHT',
  'SMOVE a b m',
  'RENAMENX a b',
  'MEMORY USAGE k',
  'HSETNX h f v',
  'LMPOP 2 a b LEFT',
  'LMPOP 1 a b LEFT',
  'LMPOP 0 a LEFT',
  'LMPOP -1 a LEFT',
  'LMPOP x a LEFT',
  'LMPOP 3 a b LEFT',
  'BLMPOP 0 2 a b LEFT COUNT 2',
  'BLMPOP 0 3 a b LEFT',
  'BLMPOP 0 0 a LEFT',
  'ZMPOP 1 z MIN',
  'ZMPOP 2 z',
  'BZMPOP 0 2 y z MAX',
  'BZPOPMIN a b 0',
  'ZUNIONSTORE d 2 a b WEIGHTS 1 2',
  'ZUNIONSTORE d 3 a b',
  'ZUNIONSTORE d 0 a',
  'ZINTERSTORE d 1 a',
  'ZDIFFSTORE d 2 a b',
  'ZUNION 2 a b WITHSCORES',
  'ZINTER 1 a',
  'ZDIFF 3 a b',
  'ZINTERCARD 2 a b LIMIT 1',
  'SINTERCARD 2 a b',
  'SINTERSTORE d a b',
  'ZRANGESTORE d s 0 -1',
  'PUBLISH ch m',
  'SPUBLISH ch m',
  'SSUBSCRIBE a b',
  'PING',
  'CLIENT LIST',
  'nosuchcommand a',
];

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: COMMAND GETKEYS and GETKEYSANDFLAGS as redis-server 7.0',
  (transport) => {
    const both = useBothServers(transport);

    it.each([2, 3])(
      'names the same keys with the same flags, and refuses the same lines with the same errors (RESP%i)',
      async (protocol) => {
        for (const client of [both.theirs, both.mine]) await step(client, [['HELLO', String(protocol)]]);
        for (const line of LINES) {
          for (const subcommand of ['GETKEYS', 'GETKEYSANDFLAGS']) {
            const request = ['COMMAND', subcommand, ...line.split(' ')];
            const replies = await stepBoth(both.theirs, both.mine, [request]);
            expect(replies.mine).toBe(replies.theirs);
          }
        }
      },
    );

    it('names the same keys with the same flags for short lines of every command of ours', async () => {
      for (const client of [both.theirs, both.mine]) await step(client, [['HELLO', '2']]);
      const list = async (client: LiveClient) =>
        items(decodeResp(await client.call(['COMMAND', 'LIST']))).map((name) => text(name));
      // Ours that Redis 7.0 also has (7.2's CLIENT SETINFO and NO-TOUCH are unknown commands there).
      const redis = new Set(await list(both.real));
      const names = (await list(both.lite)).filter((name) => redis.has(name));
      const requests = names.flatMap((name) => {
        const words = name.split('|');
        return FILLS.flatMap((fill) =>
          [0, 1, 2, 3, 4, 5, 6, 7].flatMap((n) =>
            ['GETKEYS', 'GETKEYSANDFLAGS'].map((sub) => ['COMMAND', sub, ...words, ...fill.slice(0, n)]),
          ),
        );
      });
      const [mine, theirs] = await Promise.all([both.lite.pipeline(requests), both.real.pipeline(requests)]);
      for (let i = 0; i < requests.length; i++) {
        const request = requests[i].join(' ');
        expect(`${request} -> ${mine[i].toString('latin1')}`).toBe(
          `${request} -> ${theirs[i].toString('latin1')}`,
        );
      }
    });
  },
);

/** Argument words for the sweep: plain keys, a numkeys first, a timeout and numkeys (BLMPOP), a destination and numkeys. */
const FILLS: readonly (readonly string[])[] = [
  ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
  ['2', 'a', 'b', 'c', 'd', 'e', 'f'],
  ['0', '2', 'a', 'b', 'LEFT', 'COUNT', '1'],
  ['d', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
];

const items = (value: Value): readonly Value[] => (value.type === 'array' ? value.items : []);
const text = (value: Value): string => (value.type === 'bulk' ? value.bytes.toString('latin1') : '');
