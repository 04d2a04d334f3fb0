// A script that runs too long, on real sockets (Redis 7.0's busy-reply-threshold, SCRIPT KILL, SHUTDOWN NOSAVE):
// once it has run past the threshold, other clients' commands get BUSY, except those Redis allows while busy;
// SCRIPT KILL stops a script that has not written (its caller gets Redis's error), refuses one that has
// (UNKILLABLE), and answers NOTBUSY when none runs; SHUTDOWN NOSAVE goes down while one runs, SHUTDOWN alone
// is refused. Before the threshold, other clients wait for the script. On the pool each client has a worker of
// its own; on the hybrid the script's client is the first connected (loop 0) and the others land on the other
// loops. The moment a script times out is awaited as its "Slow script detected" log line, never slept for.
// The event loop runs a script on its only thread (README: Scripts that run too long), so it is not in this suite.

import { describe, expect, it } from 'vitest';
import { resp, type RawClient } from '../support/raw-client.js';
import { luaWatchesLongRuns } from '../support/lua-watch.js';
import { transports, useTestServer, type TestServer } from '../support/server.js';

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

const threadsWithLoops = luaWatchesLongRuns ? transports.filter((t) => t !== 'eventloop') : [];

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
async function connectFour(server: TestServer): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (let i = 0; i < 4; i++) {
    const client = await server.connect();
    expect(await ask(client, 'PING')).toBe('+PONG'); // adopted by its loop before the next one connects
    clients.push(client);
  }
  return clients;
}

/** Resolves once the running script has passed busy-reply-threshold (its thread logs it, as Redis). */
function timedOut(server: TestServer): Promise<unknown> {
  return server.logs.waitFor(
    (line) => typeof line.msg === 'string' && line.msg.startsWith('Slow script detected'),
  );
}

describe.each(threadsWithLoops)('%s transport: a script past busy-reply-threshold', (transport) => {
  const fixture = useTestServer(transport, { workers: 4 });

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
});

describe.skipIf(!luaWatchesLongRuns || !transports.includes('hybrid'))(
  'hybrid transport: a busy script on the accepting loop',
  () => {
    const fixture = useTestServer('hybrid', { workers: 2 });

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
