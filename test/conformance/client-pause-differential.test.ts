// CLIENT PAUSE and CLIENT UNPAUSE against redis-server 7.0, for every transport: the same requests sent to
// redis-lite and to a redis-server this file starts on a free loopback port (no persistence, stopped by PID),
// replies compared byte for byte. The deterministic parts: argument errors in Redis's order, a timeout of 0 and
// one whose end overflows (no pause), reads and read-only transactions under WRITE, a pause asked for inside
// MULTI (it starts after EXEC), and a held write released by UNPAUSE, ordered by waiting for INFO
// blocked_clients. Skipped when redis-server is not on PATH.

import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { RawClient, resp } from '../support/raw-client.js';
import { transports } from '../support/server.js';
import { step, stepBoth } from '../support/script-step.js';

/** A function that writes (held under WRITE) and one flagged no-writes (not held). */
const PAUSE_LIBRARY = `#!lua name=pz
redis.register_function('pz_rw', function() return 1 end)
redis.register_function{function_name='pz_ro', callback=function() return 2 end, flags={'no-writes'}}`;

/** Each entry one step; a step of several requests is sent at once (MULTI ... EXEC). */
const SCRIPT: readonly (readonly string[])[][] = [
  [['CLIENT', 'PAUSE']],
  [['CLIENT', 'PAUSE', 'abc']],
  [['CLIENT', 'PAUSE', '1.5']],
  [['CLIENT', 'PAUSE', '-1']],
  [['CLIENT', 'PAUSE', '-1', 'WRITE']],
  [['CLIENT', 'PAUSE', 'abc', 'NONE']],
  [['CLIENT', 'PAUSE', '10', 'WRITE', 'x']],
  [['CLIENT', 'PAUSE', '99999999999999999999']],
  [['CLIENT', 'UNPAUSE', 'x']],
  [['CLIENT', 'UNPAUSE']],
  // No pause after these: a timeout of 0, and one whose end overflows (Redis's sum wraps into the past).
  [['CLIENT', 'PAUSE', '0', 'WRITE']],
  [['SET', 'k', 'v']],
  [['FUNCTION', 'LOAD', 'REPLACE', PAUSE_LIBRARY]],
  [['CLIENT', 'PAUSE', '9223372036854775807', 'wRiTe']],
  [['SET', 'k', 'v2']],
  [['CLIENT', 'PAUSE', '100000', 'write']],
  [['GET', 'k']],
  [['PING']],
  [['MULTI'], ['GET', 'k'], ['PING'], ['EXEC']],
  // Scripts that declare no-writes, and the _RO forms, run under WRITE (eval.c evalGetCommandFlags).
  [['EVAL', '#!lua flags=no-writes\nreturn 12', '0']],
  [['EVAL_RO', "return redis.call('get', KEYS[1])", '1', 'k']],
  [['MULTI'], ['EVAL', '#!lua flags=no-writes\nreturn 13', '0'], ['EXEC']],
  // A function flagged no-writes, and FCALL_RO of one not found (fcallGetCommandFlags).
  [['FCALL', 'pz_ro', '0']],
  [['FCALL_RO', 'pz_ro', '0']],
  [['FCALL_RO', 'nosuch', '0']],
  [['CLIENT', 'UNPAUSE']],
  [['CLIENT', 'UNPAUSE']],
  // Asked for inside MULTI: the commands queued after it still run in that EXEC.
  [['MULTI'], ['SET', 'a', '1'], ['CLIENT', 'PAUSE', '100000', 'WRITE'], ['SET', 'b', '2'], ['EXEC']],
  [['MGET', 'a', 'b']],
  [['CLIENT', 'UNPAUSE']],
];

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: CLIENT PAUSE as redis-server 7.0',
  (transport) => {
    const both = useBothServers(transport, { ours: { workers: transport === 'hybrid' ? 2 : 8 } });

    it('answers the script byte for byte', async () => {
      const { theirs, mine } = both;
      await step(theirs, [['FLUSHALL']]);
      await step(mine, [['FLUSHALL']]);
      for (const requests of SCRIPT) {
        const replies = await stepBoth(theirs, mine, requests);
        expect(replies.mine).toBe(replies.theirs);
      }
    });

    it('holds a write until UNPAUSE, the client then running it and what it sent after', async () => {
      const script = async (port: number | null): Promise<string[]> => {
        const connect = () => (port === null ? both.ours.connect() : RawClient.connect(port));
        const [writer, control] = [await connect(), await connect()];
        try {
          await step(control, [['FLUSHALL']]);
          const out = [await step(control, [['CLIENT', 'PAUSE', '100000', 'WRITE']])];
          await writer.send(Buffer.concat([resp('INCR', 'n'), resp('PUBLISH', 'ch', 'm')]));
          for (;;) {
            const info = await step(control, [['INFO', 'clients']]);
            if (info.includes('blocked_clients:1')) break;
          }
          out.push(await step(control, [['GET', 'n']]));
          out.push(await step(control, [['CLIENT', 'UNPAUSE']]));
          out.push(await step(writer, [['GET', 'n']]));
          return out;
        } finally {
          writer.destroy();
          control.destroy();
        }
      };
      expect(await script(null)).toEqual(await script(both.redis.port));
    });

    it('holds what may replicate under WRITE: scripts and functions without no-writes, an unknown sha or function, PFCOUNT', async () => {
      const held = [
        ['EVAL', 'return 1', '0'],
        ['EVAL', '#!lua\nreturn 2', '0'],
        ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'],
        ['PFCOUNT', 'hll'],
        ['FCALL', 'pz_rw', '0'],
        ['FCALL', 'nosuch', '0'],
      ];
      const script = async (port: number | null): Promise<string[]> => {
        const connect = () => (port === null ? both.ours.connect() : RawClient.connect(port));
        const control = await connect();
        const clients: RawClient[] = [];
        for (let i = 0; i < held.length; i++) clients.push(await connect());
        try {
          await step(control, [['SCRIPT', 'FLUSH']]);
          await step(control, [['FUNCTION', 'LOAD', 'REPLACE', PAUSE_LIBRARY]]);
          const out = [await step(control, [['CLIENT', 'PAUSE', '100000', 'WRITE']])];
          for (const [i, client] of clients.entries()) {
            await client.send(resp(...held[i]));
            for (;;) {
              const info = await step(control, [['INFO', 'clients']]);
              if (info.includes(`blocked_clients:${i + 1}\r\n`)) break;
            }
          }
          out.push(await step(control, [['CLIENT', 'UNPAUSE']]));
          for (const client of clients) out.push(await step(client, [['PING']]));
          return out;
        } finally {
          for (const client of [control, ...clients]) client.destroy();
        }
      };
      expect(await script(null)).toEqual(await script(both.redis.port));
    });
  },
);
