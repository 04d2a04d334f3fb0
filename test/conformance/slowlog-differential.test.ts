// SLOWLOG against redis-server 7.0.15 on every transport, with slowlog-log-slower-than 0 so that every command is
// slow and what is logged is deterministic: which commands get an entry (not EXEC, nor a refused command, nor a
// block that timed out; a BLPOP under its own client's name), their arguments as logged
// (32 at most, 128 bytes each, AUTH, CONFIG SET requirepass and ACL SETUSER redacted), the client names, the ids in order,
// trimming at slowlog-max-len (at once when it is lowered, not while the log is off), RESET, and SLOWLOG's
// errors and HELP, in RESP2 and RESP3. An entry's time, duration and peer differ between two servers: each is
// checked for its form (seconds within the test's span, whole microseconds, this client's "ip:port") and then
// compared as a placeholder; ids are compared relative to the first one. Skipped without redis-server.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { LiveClient, show, type Value } from '../support/live-harness.js';
import { transports } from '../support/server.js';

const LONG = 'x'.repeat(200);
const MANY = Array.from({ length: 40 }, (_, i) => `e${i}`);

/** Sent one by one (their replies are not compared: only what the log shows of them). */
const LOGGED: readonly string[][] = [
  ['CLIENT', 'SETNAME', 'tester'],
  ['SET', 'k', LONG],
  ['RPUSH', 'list', ...MANY],
  ['AUTH', 'secret'],
  ['AUTH', 'user', 'secret', 'extra'],
  ['ACL', 'SETUSER', 'slowlogged', 'on', '>secret', '~*'],
  ['ACL', 'DELUSER', 'slowlogged'],
  ['CONFIG', 'SET', 'requirepass', '', 'maxmemory-samples', '5'],
  ['INCR', 'k'],
  ['GET'],
  ['NOSUCHCOMMAND', 'a'],
  ['MULTI'],
  ['SET', 'x', '1'],
  ['EXEC'],
  ['WAIT', '1', '5'],
  ['BLPOP', 'nolist', '0.005'],
  ['EVAL', "redis.call('set', 'a', '1') return redis.call('get', 'a')", '0'],
];

/** SLOWLOG's own replies, compared as they are (no entries in them, or entries normalised). */
const ERRORS: readonly string[][] = [
  ['SLOWLOG', 'GET', '-2'],
  ['SLOWLOG', 'GET', 'x'],
  ['SLOWLOG', 'GET', '1', '2'],
  ['SLOWLOG', 'LEN', 'x'],
  ['SLOWLOG', 'RESET', 'x'],
  ['SLOWLOG', 'FOO'],
  ['SLOWLOG'],
  ['SLOWLOG', 'HELP'],
  ['SLOWLOG', 'HELP', 'x'],
  ['CONFIG', 'SET', 'slowlog-log-slower-than', '-2'],
  ['CONFIG', 'SET', 'slowlog-max-len', '-1'],
  ['CONFIG', 'GET', 'slowlog-log-slower-than'],
  ['CONFIG', 'GET', 'slowlog-max-len'],
];

interface Run {
  readonly client: LiveClient;
  readonly started: number;
  /** The id of the entry of the SLOWLOG RESET that began the run: ids are shown relative to it. */
  base: number;
}

const integerOf = (value: Value): number => {
  if (value.type !== 'integer') throw new Error(`expected an integer: ${JSON.stringify(show(value))}`);
  return Number(value.value);
};

/** SLOWLOG GET's reply with each entry's id made relative, and its time, duration and peer checked, then masked. */
function normalised(reply: Value, run: Run): unknown {
  if (reply.type !== 'array') return show(reply);
  const now = Math.ceil(Date.now() / 1000);
  return reply.items.map((entry) => {
    if (entry.type !== 'array' || entry.items.length !== 6) return show(entry);
    const [id, time, duration, argv, peer, name] = entry.items;
    const seconds = integerOf(time);
    expect(seconds).toBeGreaterThanOrEqual(Math.floor(run.started / 1000));
    expect(seconds).toBeLessThanOrEqual(now);
    expect(integerOf(duration)).toBeGreaterThanOrEqual(0);
    // A script's commands are its client's, which has no connection: "?:0".
    const address = peer.type === 'bulk' ? peer.bytes.toString() : '';
    expect(address === '?:0' || /^127\.0\.0\.1:\d+$/.test(address)).toBe(true);
    return [
      integerOf(id) - run.base,
      'time',
      'duration',
      show(argv),
      address === '?:0' ? address : 'peer',
      show(name),
    ];
  });
}

async function script(client: LiveClient, other: LiveClient): Promise<unknown[]> {
  const run: Run = { client, started: Date.now(), base: 0 };
  const out: unknown[] = [];
  const get = async (...count: string[]) => normalised(await client.value(['SLOWLOG', 'GET', ...count]), run);
  await client.value(['CONFIG', 'SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '128']);
  await client.value(['SLOWLOG', 'RESET']);
  const first = await client.value(['SLOWLOG', 'GET', '1']);
  if (first.type !== 'array' || first.items[0]?.type !== 'array') throw new Error('no RESET entry');
  run.base = integerOf(first.items[0].items[0]);
  out.push(show(await client.value(['SLOWLOG', 'LEN'])));
  for (const argv of LOGGED) await client.value(argv);
  // Another client's BLPOP, popping at once what this one pushed: its entry under its own client's name. (A BLPOP
  // served later is logged then, in integration/slowlog.test.ts: here the two would run at once on two threads,
  // and their entries come in the order they end, not one Redis's single thread would give them.)
  await other.value(['CLIENT', 'SETNAME', 'waiter']);
  await client.value(['RPUSH', 'served', 'v']);
  out.push(show(await other.value(['BLPOP', 'served', '0'])));
  out.push(await get('-1'));
  out.push(await get('2'), await get('0'), await get());
  for (const argv of ERRORS) out.push(show(await client.value(argv)));
  // Lowered: trimmed at the end of that CONFIG SET (which is logged first). Off: neither logged nor trimmed.
  await client.value(['CONFIG', 'SET', 'slowlog-max-len', '3']);
  out.push(await get('-1'));
  await client.value(['CONFIG', 'SET', 'slowlog-log-slower-than', '-1']);
  await client.value(['CONFIG', 'SET', 'slowlog-max-len', '1']);
  out.push(show(await client.value(['SLOWLOG', 'LEN'])));
  await client.value(['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
  out.push(await get());
  await client.value(['CONFIG', 'SET', 'slowlog-max-len', '0']);
  out.push(show(await client.value(['SLOWLOG', 'LEN'])));
  await client.value(['CONFIG', 'SET', 'slowlog-max-len', '5']);
  await client.value(['HELLO', '3']);
  out.push(show(await client.value(['SLOWLOG', 'LEN'])));
  out.push((await client.call(['SLOWLOG', 'GET', '0'])).toString('latin1'));
  out.push(await get('1'));
  await client.value(['HELLO', '2']);
  await client.value(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000', 'slowlog-max-len', '128']);
  await client.value(['CLIENT', 'SETNAME', '']);
  await client.value(['FLUSHALL']);
  return out;
}

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: SLOWLOG as redis-server 7.0',
  (transport) => {
    const both = useBothServers(transport, { ours: { workers: transport === 'hybrid' ? 2 : 6 } });

    it('logs the same commands, arguments, names and ids, trims and resets alike', async () => {
      const pair = async (port: number | null): Promise<unknown[]> => {
        const connect = async () =>
          port === null ? new LiveClient(await both.ours.connect()) : LiveClient.connect(port);
        const [client, other] = [await connect(), await connect()];
        try {
          return await script(client, other);
        } finally {
          await client.close();
          await other.close();
        }
      };
      const theirs = await pair(both.redis.port);
      expect(await pair(null)).toEqual(theirs);
    });
  },
);
