// FUNCTION STATS while a function runs past busy-reply-threshold on another thread (pool, hybrid): running_script
// names the function, its caller's command and how long it has run, until FUNCTION KILL stops it; while an EVAL
// script runs, STATS is BUSY as in Redis (shared.slowevalerr). The moment a script times out is awaited as its
// "Slow script detected" log line. The event loop runs a script on its only thread, so it is not in this suite.

import { describe, expect, it } from 'vitest';
import { resp, type RawClient } from '../support/raw-client.js';
import { transports, useTestServer, type TestServer } from '../support/server.js';

const threadsWithLoops = transports.filter((t) => t !== 'eventloop');

async function line(client: RawClient): Promise<string> {
  return (await client.readLine()).replace(/\r\n$/, '');
}

async function ask(client: RawClient, ...argv: string[]): Promise<string> {
  await client.send(resp(...argv));
  return line(client);
}

/** Lines until `count` lines were read (a nested reply, one line per element header or value). */
async function lines(client: RawClient, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(await line(client));
  return out;
}

/** The script's client, then two others (on the hybrid, each on a loop of its own). */
async function connectThree(server: TestServer): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  for (let i = 0; i < 3; i++) {
    const client = await server.connect();
    expect(await ask(client, 'PING')).toBe('+PONG');
    clients.push(client);
  }
  return clients;
}

function timedOut(server: TestServer): Promise<unknown> {
  return server.logs.waitFor(
    (entry) => typeof entry.msg === 'string' && entry.msg.startsWith('Slow script detected'),
  );
}

describe.each(threadsWithLoops)('%s transport: FUNCTION STATS while a script runs', (transport) => {
  const fixture = useTestServer(transport, { workers: 4 });

  it('shows the running function, its command and its duration, and nothing once it is killed', async () => {
    const server = fixture();
    const [scripter, other] = await connectThree(server);
    const library =
      '#!lua name=spinner\nredis.register_function("spinner", function() while true do end end)';
    expect(await ask(other, 'FUNCTION', 'LOAD', 'REPLACE', library)).toBe('$7');
    expect(await line(other)).toBe('spinner');
    expect(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
    const slow = timedOut(server);
    await scripter.send(resp('FCALL', 'spinner', '1', 'key-a', 'arg-b'));
    await slow;
    await other.send(resp('FUNCTION', 'STATS'));
    const reply = await lines(other, 21);
    expect(reply.slice(0, 3)).toEqual(['*4', '$14', 'running_script']);
    expect(reply.slice(3, 17)).toEqual([
      '*6',
      '$4',
      'name',
      '$7',
      'spinner',
      '$7',
      'command',
      '*5',
      '$5',
      'FCALL',
      '$7',
      'spinner',
      '$1',
      '1',
    ]);
    // key-a, arg-b, then duration_ms: at least the threshold it has passed.
    expect(reply.slice(17, 21)).toEqual(['$5', 'key-a', '$5', 'arg-b']);
    expect(await lines(other, 2)).toEqual(['$11', 'duration_ms']);
    expect(Number((await line(other)).slice(1))).toBeGreaterThanOrEqual(50);
    expect(await lines(other, 8)).toEqual([
      '$7',
      'engines',
      '*2',
      '$3',
      'LUA',
      '*4',
      '$15',
      'libraries_count',
    ]);
    expect(await lines(other, 4)).toEqual([':1', '$15', 'functions_count', ':1']);
    expect(await ask(other, 'FUNCTION', 'KILL')).toBe('+OK');
    expect(await line(scripter)).toMatch(
      /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: spinner/,
    );
    expect(await ask(other, 'FUNCTION', 'STATS')).toBe('*4');
    expect(await lines(other, 3)).toEqual(['$14', 'running_script', '$-1']);
  });

  it('is BUSY while an EVAL script runs', async () => {
    const server = fixture();
    const [scripter, other] = await connectThree(server);
    expect(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
    const slow = timedOut(server);
    await scripter.send(resp('EVAL', 'while true do end', '0'));
    await slow;
    expect(await ask(other, 'FUNCTION', 'STATS')).toBe(
      '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    );
    expect(await ask(other, 'SCRIPT', 'KILL')).toBe('+OK');
    expect(await line(scripter)).toMatch(/^-ERR Script killed by user with SCRIPT KILL/);
  });
});
