// ACL LOG's entries for key and channel refusals (and a failed AUTH) against redis-server 7.0.15 on every
// transport, field for field: count, reason, context (toplevel, multi at queueing and at EXEC, lua), object,
// username, and the client's CLIENT LIST line as Redis wrote it at the refusal, where the fields that name the
// connection (id, addr, laddr, fd), the clock (age, idle, age-seconds) or Redis's allocator and reply buffer
// (qbuf-free, rbs, rbp, obl, oll, omem, tot-mem) are masked; the rest, qbuf (the request's bytes), argv-mem (its
// arguments') and multi-mem (the queued commands') among them, are compared as they are. One request per write,
// so each read holds one request on both servers. Skipped without redis-server.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { LiveClient, show, type Value } from '../support/live-harness.js';
import { transports } from '../support/server.js';

const MASKED = [
  'id',
  'addr',
  'laddr',
  'fd',
  'age',
  'idle',
  'qbuf-free',
  'rbs',
  'rbp',
  'obl',
  'oll',
  'omem',
  'tot-mem',
];

function maskedInfo(info: string): string {
  return info
    .split(' ')
    .map((field) => (MASKED.includes(field.split('=')[0]) ? `${field.split('=')[0]}=<masked>` : field))
    .join(' ');
}

/** Each entry's fields in order, age-seconds by its type only, client-info masked. */
function entries(reply: Value): unknown {
  if (reply.type !== 'array') return show(reply);
  return reply.items.map((entry) => {
    const fields = entry.type === 'array' ? entry.items : entry.type === 'map' ? entry.entries.flat() : [];
    const out: unknown[] = [];
    for (let i = 0; i < fields.length; i += 2) {
      const key = fields[i];
      const name = key.type === 'bulk' ? key.bytes.toString() : '?';
      const value = fields[i + 1];
      if (name === 'age-seconds') out.push(name, value.type);
      else if (name === 'client-info' && value.type === 'bulk')
        out.push(name, maskedInfo(value.bytes.toString()));
      else out.push(name, show(value));
    }
    return out;
  });
}

/** [connection, argv]: 0 the administrator (default user), 1 a connection of the restricted user "lg". */
const STEPS: readonly (readonly [0 | 1, readonly string[]])[] = [
  [0, ['ACL', 'LOG', 'RESET']],
  [
    0,
    [
      ...['ACL', 'SETUSER', 'lg', 'on', '>pw', '~k*', 'resetchannels', '&ch*', '+get', '+set', '+publish'],
      ...['+spublish', '+subscribe', '+psubscribe', '+multi', '+exec', '+eval', '+client|setname', '+auth'],
    ],
  ],
  [1, ['AUTH', 'lg', 'wrong']],
  [1, ['AUTH', 'lg', 'pw']],
  [1, ['CLIENT', 'SETNAME', 'logger']],
  [1, ['GET', 'other']],
  [1, ['GET', 'other']],
  [1, ['PUBLISH', 'news', 'm']],
  [1, ['SPUBLISH', 'news', 'm']],
  [1, ['SUBSCRIBE', 'ch1', 'bad']],
  [1, ['PSUBSCRIBE', 'ch*', 'x*']],
  [1, ['MULTI']],
  [1, ['SET', 'k1', 'value']],
  [1, ['GET', 'zz']],
  [1, ['EXEC']],
  [1, ['MULTI']],
  [1, ['SET', 'k1', 'v']],
  [1, ['PUBLISH', 'ch1', 'm']],
  [0, ['ACL', 'SETUSER', 'lg', 'resetchannels', '&other']],
  [1, ['EXEC']],
  [1, ['EVAL', "return redis.call('get','zz2')", '0']],
  [1, ['EVAL', "return redis.pcall('publish','nope','m')", '0']],
];

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: ACL LOG as redis-server 7.0',
  (transport) => {
    const both = useBothServers(transport, { ours: { workers: 4 } });

    it('logs the same entries for key, channel and AUTH refusals, client-info included', async () => {
      const run = async (connect: () => Promise<LiveClient>) => {
        const connections = [await connect(), await connect()];
        const out: unknown[] = [];
        try {
          for (const [at, step] of STEPS) out.push([step.join(' '), show(await connections[at].value(step))]);
          out.push(['ACL LOG', entries(await connections[0].value(['ACL', 'LOG', '20']))]);
          await connections[0].value(['HELLO', '3']);
          out.push(['ACL LOG 2 (RESP3)', entries(await connections[0].value(['ACL', 'LOG', '2']))]);
          await connections[0].value(['ACL', 'DELUSER', 'lg']);
        } finally {
          for (const c of connections) await c.close();
        }
        return out;
      };
      const theirs = await run(() => LiveClient.connect(both.redis.port));
      const mine = await run(async () => new LiveClient(await both.ours.connect()));
      for (let i = 0; i < theirs.length; i++)
        expect(mine[i], JSON.stringify(theirs[i]).slice(0, 300)).toEqual(theirs[i]);
      expect(mine.length).toBe(theirs.length);
    });
  },
);
