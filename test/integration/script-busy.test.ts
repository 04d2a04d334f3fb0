// A script that runs too long, on real sockets (Redis 7.0's busy-reply-threshold, SCRIPT KILL, SHUTDOWN NOSAVE):
// once it has run past the threshold, other clients' commands get BUSY, except those Redis allows while busy;
// SCRIPT KILL stops a script that has not written (its caller gets Redis's error), refuses one that has
// (UNKILLABLE), and answers NOTBUSY when none runs; SHUTDOWN NOSAVE goes down while one runs, SHUTDOWN alone
// is refused. Before the threshold, other clients wait for the script. On the pool each client has a worker of
// its own; on the hybrid with four loops the script's client is the first connected (loop 0) and the others land
// on the other loops; the event loop, and the hybrid with one loop, serve them from the script's hook (the event
// loop in a child process: busy-script-server.ts). The moment a script times out is awaited as its "Slow script
// detected" log line, never slept for.

import { describe, expect, it } from 'vitest';
import { resp, type RawClient } from '../support/raw-client.js';
import { busyScriptsWatched } from '../support/lua-watch.js';
import { useBusyScriptServer, type BusyScriptServer } from '../support/busy-script-server.js';
import { transports, type TransportName } from '../support/server.js';
import { untilInfo } from '../support/info-wait.js';

const BUSY = '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const FUNCTION_BUSY =
  '-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
const NOTBUSY = '-NOTBUSY No scripts in execution right now.';
const UNKILLABLE =
  '-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the ' +
  'script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';

const FOREVER = 'while true do end';
const FOREVER_SHA = '694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7';
const WRITE_THEN_FOREVER = 'redis.call("SET", "x", "1") while true do end';

const watchedTransports = transports.filter(busyScriptsWatched);

/**
 * Every transport with four threads (on the hybrid the clients land on loops of their own), and the hybrid with one
 * loop, where every client shares the script's thread and is served from its hook, as on the event loop.
 */
const cases = watchedTransports.flatMap((transport): { transport: TransportName; workers: number }[] =>
  transport === 'hybrid'
    ? [
        { transport, workers: 4 },
        { transport, workers: 1 },
      ]
    : [{ transport, workers: 4 }],
);

/** The transports where the script's thread serves every client: the event loop, the hybrid with one loop. */
const sharedThreadCases = (['eventloop', 'hybrid'] as const)
  .filter((transport) => transports.includes(transport) && busyScriptsWatched(transport))
  .map((transport) => ({ transport, workers: 1 }));

/** The next reply line, without its CRLF. */
async function line(client: RawClient): Promise<string> {
  return (await client.readLine()).replace(/\r\n$/, '');
}

/** Sends a command and reads its one-line reply. */
async function ask(client: RawClient, ...argv: string[]): Promise<string> {
  await client.send(resp(...argv));
  return line(client);
}

/** The script's client, then three others (on the hybrid, each on a loop of its own). */
async function connectFour(server: BusyScriptServer): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (let i = 0; i < 4; i++) {
    const client = await server.connect();
    expect(await ask(client, 'PING')).toBe('+PONG'); // adopted by its loop before the next one connects
    clients.push(client);
  }
  return clients;
}

/** Resolves once the running script has passed busy-reply-threshold (its thread logs it, as Redis). */
function timedOut(server: BusyScriptServer): Promise<unknown> {
  return server.timedOut();
}

describe.each(cases)(
  '$transport transport, $workers threads: a script past busy-reply-threshold',
  (scenario) => {
    const fixture = useBusyScriptServer(scenario.transport, scenario.workers);

    it('makes other clients BUSY until SCRIPT KILL stops it; its caller gets the kill error', async () => {
      const server = fixture();
      const [scripter, other, killer] = await connectFour(server);
      expect(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
      const slow = timedOut(server);
      await scripter.send(resp('EVAL', FOREVER, '0'));
      await slow;
      expect(await ask(other, 'PING')).toBe(BUSY);
      expect(await ask(other, 'GET', 'x')).toBe(BUSY);
      expect(await ask(other, 'CONFIG', 'GET', 'lua-time-limit')).toBe(BUSY);
      expect(await ask(other, 'SHUTDOWN')).toBe(BUSY); // only NOSAVE goes down while busy
      expect(await ask(killer, 'SCRIPT', 'KILL')).toBe('+OK');
      expect(await line(scripter)).toBe(
        `-ERR Script killed by user with SCRIPT KILL... script: ${FOREVER_SHA}, on @user_script:1.`,
      );
      expect(await ask(other, 'PING')).toBe('+PONG');
      expect(await ask(killer, 'SCRIPT', 'KILL')).toBe(NOTBUSY);
      expect(await ask(scripter, 'EVAL', 'return 7', '0')).toBe(':7');
    });

    it('runs the allow-busy commands meanwhile: MULTI is open, a queued command is refused, EXEC aborts', async () => {
      const server = fixture();
      const [scripter, other, killer] = await connectFour(server);
      expect(await ask(other, 'CONFIG', 'SET', 'lua-time-limit', '50')).toBe('+OK');
      const slow = timedOut(server);
      await scripter.send(resp('EVAL', FOREVER, '0'));
      await slow;
      expect(await ask(other, 'MULTI')).toBe('+OK');
      expect(await ask(other, 'SET', 'k', 'v')).toBe(BUSY);
      expect(await ask(other, 'EXEC')).toBe(
        '-EXECABORT Transaction discarded because of: BUSY Redis is busy running a script. You can only call ' +
          'SCRIPT KILL or SHUTDOWN NOSAVE.',
      );
      expect(await ask(killer, 'SCRIPT', 'KILL')).toBe('+OK');
      expect((await line(scripter)).startsWith('-ERR Script killed by user with SCRIPT KILL...')).toBe(true);
    });

    it('cannot be killed once it wrote (UNKILLABLE); SHUTDOWN NOSAVE goes down anyway', async () => {
      const server = fixture();
      const [scripter, other, killer] = await connectFour(server);
      expect(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
      const slow = timedOut(server);
      await scripter.send(resp('EVAL', WRITE_THEN_FOREVER, '0'));
      await slow;
      expect(await ask(killer, 'SCRIPT', 'KILL')).toBe(UNKILLABLE);
      expect(await ask(other, 'GET', 'x')).toBe(BUSY);
      await killer.send(resp('SHUTDOWN', 'NOSAVE'));
      // Embedded, a SHUTDOWN closes the server: every connection ends, the script's caller's too.
      await Promise.all([killer.closed, scripter.closed, other.closed]);
      expect(killer.text()).toBe('');
      // The event loop's server is a process of its own: SHUTDOWN NOSAVE ends it, as redis-server exits.
      if (server.exited !== null) expect(await server.exited).toBe(0);
    });

    it('a function (FCALL) is stopped by FUNCTION KILL, not SCRIPT KILL, and BUSY names FUNCTION KILL', async () => {
      const server = fixture();
      const [scripter, other, killer] = await connectFour(server);
      const library = '#!lua name=spin\nredis.register_function("spin", function() while true do end end)';
      expect(await ask(other, 'FUNCTION', 'LOAD', library)).toBe('$4');
      expect(await line(other)).toBe('spin');
      expect(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
      const slow = timedOut(server);
      await scripter.send(resp('FCALL', 'spin', '0'));
      await slow;
      expect(await ask(other, 'PING')).toBe(FUNCTION_BUSY);
      expect(await ask(killer, 'SCRIPT', 'KILL')).toBe(FUNCTION_BUSY);
      expect(await ask(killer, 'FUNCTION', 'KILL')).toBe('+OK');
      expect(await line(scripter)).toBe(
        '-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.',
      );
      expect(await ask(killer, 'FUNCTION', 'KILL')).toBe(NOTBUSY);
    });

    it("leaves a blocked client blocked: its timeout fires after the script, as Redis's", async () => {
      const server = fixture();
      const [scripter, other, killer, blocked] = await connectFour(server);
      // The script is BUSY only after 300 ms, by when the pop's 200 ms have passed: inside the script.
      expect(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '300')).toBe('+OK');
      await blocked.send(resp('BLPOP', 'nothing', '0.2'));
      const info = {
        info: async (section: string) => (await other.send(resp('INFO', section)), other.readBulk()),
      };
      await untilInfo(info, 'clients', (f) => f.get('blocked_clients') === '1', 'the client blocked');
      const slow = timedOut(server);
      await scripter.send(resp('EVAL', FOREVER, '0'));
      await slow;
      // Redis runs no timeout while a script runs (the blocked client's thread need not be the script's here).
      expect(blocked.text()).toBe('');
      expect(await ask(killer, 'SCRIPT', 'KILL')).toBe('+OK');
      expect((await line(scripter)).startsWith('-ERR Script killed by user')).toBe(true);
      expect(await line(blocked)).toBe('*-1');
    });

    it('keeps other clients waiting until it ends when it has not passed the threshold', async () => {
      const server = fixture();
      const [scripter, other, killer, watcher] = await connectFour(server);
      expect(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '0')).toBe('+OK'); // never busy
      // The monitor sees the script's SET as it runs, before the loop: the script holds the store from then on.
      expect(await ask(watcher, 'MONITOR')).toBe('+OK');
      await scripter.send(
        resp(
          'EVAL',
          'redis.call("SET", "started", "1") local n = 0 for i = 1, 5e6 do n = n + i end return 1',
          '0',
        ),
      );
      expect(await line(watcher)).toMatch(/"EVAL"/); // Redis feeds monitors EVAL before its commands
      expect(await line(watcher)).toMatch(/\[0 lua\] "SET" "started" "1"$/);
      // Without the wait, SCRIPT KILL would run now and answer UNKILLABLE (the script wrote).
      expect(await ask(killer, 'SCRIPT', 'KILL')).toBe(NOTBUSY);
      expect(await line(scripter)).toBe(':1');
      expect(await ask(other, 'GET', 'started')).toBe('$1');
    });
  },
);

describe.skipIf(!busyScriptsWatched('hybrid') || !transports.includes('hybrid'))(
  'hybrid transport: a busy script on the accepting loop',
  () => {
    const fixture = useBusyScriptServer('hybrid', 2);

    it('still lets new clients connect (loop 1 accepts meanwhile), answer BUSY and SCRIPT KILL it', async () => {
      const server = fixture();
      const scripter = await server.connect(); // the first client: loop 0's, which accepts
      expect(await ask(scripter, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
      const slow = timedOut(server);
      await scripter.send(resp('EVAL', FOREVER, '0'));
      await slow;
      const newcomer = await server.connect();
      expect(await ask(newcomer, 'PING')).toBe(BUSY);
      expect(await ask(newcomer, 'SCRIPT', 'KILL')).toBe('+OK');
      expect((await line(scripter)).startsWith('-ERR Script killed by user with SCRIPT KILL...')).toBe(true);
      // Loop 0 accepts again: a client connected now is served as usual.
      const later = await server.connect();
      expect(await ask(later, 'PING')).toBe('+PONG');
      expect(await ask(newcomer, 'PING')).toBe('+PONG');
    });
  },
);

describe.each(sharedThreadCases)(
  '$transport transport, $workers thread: a busy script on the thread of every client',
  (scenario) => {
    const fixture = useBusyScriptServer(scenario.transport, scenario.workers);

    it('accepts new clients meanwhile, which get BUSY and can SCRIPT KILL it', async () => {
      const server = fixture();
      const scripter = await server.connect();
      expect(await ask(scripter, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
      const slow = timedOut(server);
      await scripter.send(resp('EVAL', FOREVER, '0'));
      await slow;
      const newcomer = await server.connect(); // accepted from the script's hook
      expect(await ask(newcomer, 'PING')).toBe(BUSY);
      expect(await ask(newcomer, 'SCRIPT', 'KILL')).toBe('+OK');
      expect((await line(scripter)).startsWith('-ERR Script killed by user with SCRIPT KILL...')).toBe(true);
      expect(await ask(newcomer, 'PING')).toBe('+PONG');
    });

    it("keeps the replies of the script's client in order around it, and others' replies to themselves", async () => {
      const server = fixture();
      const [scripter, other] = [await server.connect(), await server.connect()];
      expect(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
      const slow = timedOut(server);
      // One read: a reply before the script waits in the thread's writer while others are answered from its hook,
      // and the request after it waits in the read buffer the hook must not read into.
      await scripter.send(
        Buffer.concat([resp('ECHO', 'before'), resp('EVAL', FOREVER, '0'), resp('ECHO', 'after')]),
      );
      await slow;
      expect(await ask(other, 'PING')).toBe(BUSY);
      expect(await ask(other, 'ECHO', 'x')).toBe(BUSY);
      expect(await ask(other, 'SCRIPT', 'KILL')).toBe('+OK');
      expect(await line(scripter)).toBe('$6');
      expect(await line(scripter)).toBe('before');
      expect(await line(scripter)).toBe(
        `-ERR Script killed by user with SCRIPT KILL... script: ${FOREVER_SHA}, on @user_script:1.`,
      );
      expect(await line(scripter)).toBe('$5');
      expect(await line(scripter)).toBe('after');
    });

    // Its premise, PING and EVAL read in one turn after the loop wakes from DEBUG SLEEP, depends on when the kernel
    // hands the loop their bytes: in 3 of 5 runs of this file on a busy 2-core host (none of 3 run alone) the second
    // PING was answered before the script ran. Such a run tests nothing, so it is run again; making the premise
    // certain needs a way to see the loop asleep, which the protocol does not give.
    it(
      'writes the replies it held for the end of the turn when the script times out',
      { retry: 2 },
      async () => {
        const server = fixture();
        const [sleeper, other, scripter] = [
          await server.connect(),
          await server.connect(),
          await server.connect(),
        ];
        expect(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
        // While the loop sleeps, PING and then the script arrive: the next turn reads both, PING first, and PING's
        // reply waits for the end of that turn, which comes only after the script.
        await sleeper.send(resp('DEBUG', 'SLEEP', '0.3'));
        await other.send(resp('PING'));
        await scripter.send(resp('EVAL', FOREVER, '0'));
        expect(await line(sleeper)).toBe('+OK');
        expect(await line(other)).toBe('+PONG'); // without the write at the time-out: only after the script
        expect(await ask(other, 'PING')).toBe(BUSY);
        expect(await ask(other, 'SCRIPT', 'KILL')).toBe('+OK');
        expect((await line(scripter)).startsWith('-ERR Script killed by user')).toBe(true);
      },
    );

    it("serves others inside the script's batch, which stays its client's: its own invalidation follows its reply", async () => {
      const server = fixture();
      const [scripter, other] = [await server.connect(), await server.connect()];
      await scripter.send(resp('HELLO', '3'));
      const end = '$7\r\nmodules\r\n*0\r\n'; // HELLO's map ends with the modules field
      await scripter.readFramed((received) => {
        const at = received.indexOf(end);
        return at < 0 ? -1 : at + end.length;
      });
      expect(await ask(scripter, 'CLIENT', 'TRACKING', 'ON')).toBe('+OK');
      expect(await ask(other, 'SET', 'k', 'v0')).toBe('+OK');
      expect(await ask(scripter, 'GET', 'k')).toBe('$2'); // now tracked by the scripter
      expect(await line(scripter)).toBe('v0');
      expect(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
      const slow = timedOut(server);
      // Spins for a second (long past the threshold), then writes k.
      const script =
        "local s = redis.call('TIME') local n = 0 " +
        "repeat local t = redis.call('TIME') n = (t[1] - s[1]) * 1000 + (t[2] - s[2]) / 1000 until n > 1000 " +
        "redis.call('SET', 'k', 'v') return 1";
      await scripter.send(resp('EVAL', script, '0'));
      await slow;
      expect(await ask(other, 'PING')).toBe(BUSY); // a batch of its own, run inside the script's
      // Redis sends a client the invalidation of its own write after the reply (the current client's).
      for (const expected of [':1', '>2', '$10', 'invalidate', '*1', '$1', 'k'])
        expect(await line(scripter)).toBe(expected);
    });

    it('closes a client cut meanwhile once the script has ended (its end gives back a watch)', async () => {
      const server = fixture();
      const [scripter, watcher, killer] = [
        await server.connect(),
        await server.connect(),
        await server.connect(),
      ];
      expect(await ask(killer, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
      expect(await ask(killer, 'CONFIG', 'SET', 'client-query-buffer-limit', '1048576')).toBe('+OK');
      const slow = timedOut(server);
      await scripter.send(resp('EVAL', FOREVER, '0'));
      await slow;
      expect(await ask(watcher, 'WATCH', 'k')).toBe('+OK');
      // An unfinished request past the limit cuts the client from inside the script; its session's end gives the
      // watch back under a lock the script holds, so on the hybrid it waits for the script's end.
      const cut = server.logged('closing client that reached max query buffer length');
      const header = Buffer.from('*2\r\n$4\r\nECHO\r\n$2000000\r\n');
      await watcher.send(Buffer.concat([header, Buffer.alloc(1_100_000, 'x')]));
      await cut;
      expect(await ask(killer, 'SCRIPT', 'KILL')).toBe('+OK');
      expect((await line(scripter)).startsWith('-ERR Script killed by user')).toBe(true);
      await watcher.closed;
      expect(await ask(killer, 'WATCH', 'k')).toBe('+OK'); // the store's locks are free
    });

    it('runs WATCH meanwhile, as Redis: a later write of another client fails the EXEC', async () => {
      const server = fixture();
      const [scripter, watcher, killer] = [
        await server.connect(),
        await server.connect(),
        await server.connect(),
      ];
      expect(await ask(killer, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
      const slow = timedOut(server);
      await scripter.send(resp('EVAL', FOREVER, '0'));
      await slow;
      expect(await ask(watcher, 'WATCH', 'k')).toBe('+OK');
      expect(await ask(watcher, 'PING')).toBe(BUSY);
      expect(await ask(killer, 'SCRIPT', 'KILL')).toBe('+OK');
      expect((await line(scripter)).startsWith('-ERR Script killed by user')).toBe(true);
      expect(await ask(killer, 'SET', 'k', 'changed')).toBe('+OK');
      expect(await ask(watcher, 'MULTI')).toBe('+OK');
      expect(await ask(watcher, 'GET', 'k')).toBe('+QUEUED');
      expect(await ask(watcher, 'EXEC')).toBe('*-1');
    });
  },
);
