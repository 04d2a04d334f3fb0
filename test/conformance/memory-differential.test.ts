// MEMORY against redis-server 7.0, for every transport: HELP, the errors (arity, unknown subcommand, SAMPLES's
// parsing), USAGE of a missing key, PURGE and DOCTOR on an instance holding little, byte for byte in RESP2 and
// RESP3; USAGE of a key and STATS by shape: STATS's field names in Redis's order (a db.N map for each database
// holding keys) and each value's reply type, since the figures are each server's own (memory.ts says how USAGE
// differs). COMMAND INFO of the subcommands is compared too (COMMAND DOCS and the rest of COMMAND for every
// command: command-differential.test.ts). Skipped without redis-server.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { decodeResp, type Value } from '../support/live-harness.js';
import { transports } from '../support/server.js';
import { step, stepBoth } from '../support/script-step.js';

/** Compared byte for byte, in RESP2 then in RESP3. */
const EXACT: readonly string[][] = [
  ['MEMORY'],
  ['MEMORY', 'HELP'],
  ['MEMORY', 'help', 'x'],
  ['MEMORY', 'NOPE'],
  ['MEMORY', 'USAGE'],
  ['MEMORY', 'USAGE', 'nokey'],
  ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', '3'],
  ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', 'x'],
  ['MEMORY', 'USAGE', 'k', 'SAMPLES'],
  ['MEMORY', 'USAGE', 'k', 'SAMPLES', 'x'],
  ['MEMORY', 'USAGE', 'k', 'SAMPLES', '-1'],
  ['MEMORY', 'USAGE', 'k', 'SAMPLES', '99999999999999999999'],
  ['MEMORY', 'USAGE', 'k', 'SAMPLES', '1.5'],
  ['MEMORY', 'USAGE', 'k', 'COUNT', '1'],
  ['MEMORY', 'USAGE', 'k', 'SAMPLES', '1', 'x'],
  ['MEMORY', 'STATS', 'x'],
  ['MEMORY', 'DOCTOR', 'x'],
  ['MEMORY', 'PURGE', 'x'],
  ['MEMORY', 'MALLOC-STATS', 'x'],
  ['MEMORY', 'PURGE'],
  ['MEMORY', 'DOCTOR'],
  ['COMMAND', 'GETKEYS', 'MEMORY', 'USAGE', 'k', 'SAMPLES', '5'],
  ['COMMAND', 'INFO', 'memory|usage', 'memory|stats', 'memory|doctor', 'memory|purge', 'memory|help'],
];

/** A reply's shape: its type, and for a map the names and the shapes of the values, in order. */
function shape(value: Value): unknown {
  if (value.type === 'map') {
    return value.entries.map(([name, v]) => [
      name.type === 'bulk' ? name.bytes.toString() : name.type,
      shape(v),
    ]);
  }
  if (value.type === 'array') {
    // RESP2's flat map: names at even places.
    return value.items.map((item, i) =>
      i % 2 === 0 && item.type === 'bulk' ? item.bytes.toString() : shape(item),
    );
  }
  return value.type;
}

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: MEMORY as redis-server 7.0',
  (transport) => {
    const both = useBothServers(transport);

    it.each([2, 3])(
      'answers HELP, the errors, PURGE and DOCTOR byte for byte in RESP%s',
      async (protocol) => {
        for (const client of [both.theirs, both.mine])
          await step(client, [['HELLO', String(protocol)], ['FLUSHALL']]);
        await step(both.theirs, [['SET', 'k', 'v']]);
        await step(both.mine, [['SET', 'k', 'v']]);
        for (const argv of EXACT) {
          const replies = await stepBoth(both.theirs, both.mine, [argv]);
          expect(replies.mine).toBe(replies.theirs);
        }
      },
    );

    it.each([2, 3])(
      'answers USAGE and STATS in the same shapes, fields in the same order, in RESP%s',
      async (protocol) => {
        for (const client of [both.real, both.lite]) {
          await client.call(['HELLO', String(protocol)]);
          await client.call(['FLUSHALL']);
          await client.call(['RPUSH', 'list', 'a', 'b', 'c']);
          await client.call(['SELECT', '2']);
          await client.call(['SET', 'k', 'v']);
          await client.call(['SELECT', '0']);
        }
        for (const argv of [
          ['MEMORY', 'USAGE', 'list'],
          ['MEMORY', 'USAGE', 'list', 'SAMPLES', '0'],
          ['MEMORY', 'STATS'],
        ]) {
          const [theirs, mine] = [await both.real.value(argv), await both.lite.value(argv)];
          expect(shape(mine), argv.join(' ')).toEqual(shape(theirs));
        }
        const stats = decodeResp(await both.lite.call(['MEMORY', 'STATS']));
        expect(JSON.stringify(shape(stats))).toContain('db.2');
      },
    );
  },
);
