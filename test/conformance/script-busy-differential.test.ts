// A script past busy-reply-threshold against redis-server 7.0.15: the same clients send the same requests to
// both servers (BUSY for others, the allow-busy MULTI with a refused command and EXEC's abort, SHUTDOWN without
// NOSAVE refused, SCRIPT KILL and its caller's error, NOTBUSY, UNKILLABLE after a write, SHUTDOWN NOSAVE closing
// every connection), and every reply must be Redis's, byte for byte. The moment the script times out is found by
// sending PING until it is BUSY (bounded), as redis-server's log is not read here. On every transport; the event
// loop's server is a child process (its script runs on its only thread, which here would be the test's own).
// Skipped with a message when redis-server is not on PATH.

import { afterEach, describe, expect, it } from 'vitest';
import { haveRedisServer } from '../support/both-servers.js';
import { startRedisServer } from '../support/live-tools.js';
import { launchServer, stopAll } from '../support/cli-process.js';
import { busyScriptsWatched } from '../support/lua-watch.js';
import { RawClient, resp } from '../support/raw-client.js';
import { startTestServer, transports, type TransportName } from '../support/server.js';

const FOREVER = 'while true do end';
const WRITE_THEN_FOREVER = 'redis.call("SET", "x", "1") while true do end';
const SPIN_LIBRARY = '#!lua name=spin\nredis.register_function("spin", function() while true do end end)';

/** The next reply line, without its CRLF. */
async function line(client: RawClient): Promise<string> {
  return (await client.readLine()).replace(/\r\n$/, '');
}

async function ask(client: RawClient, ...argv: string[]): Promise<string> {
  await client.send(resp(...argv));
  return line(client);
}

/** PING until the script's time out makes it BUSY (a PONG: the script had not started yet); that reply. */
async function untilBusy(client: RawClient): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await ask(client, 'PING');
    if (reply !== '+PONG' || Date.now() > deadline) return reply;
  }
}

/** Every reply of the scenario on the server at `port`, in order. */
async function transcript(port: number): Promise<string[]> {
  const [scripter, other, killer] = [
    await RawClient.connect(port),
    await RawClient.connect(port),
    await RawClient.connect(port),
  ];
  try {
    const seen: string[] = [];
    // One at a time, so that on the hybrid each lands on its own loop before the next connects.
    for (const client of [scripter, other, killer]) seen.push(await ask(client, 'PING'));
    seen.push(await ask(other, 'CONFIG', 'SET', 'busy-reply-threshold', '50'));
    await scripter.send(resp('EVAL', FOREVER, '0'));
    seen.push(await untilBusy(other));
    seen.push(await ask(other, 'GET', 'x'));
    seen.push(await ask(other, 'CONFIG', 'GET', 'lua-time-limit'));
    seen.push(await ask(other, 'SHUTDOWN'));
    seen.push(await ask(other, 'MULTI'));
    seen.push(await ask(other, 'SET', 'k', 'v'));
    seen.push(await ask(other, 'EXEC'));
    seen.push(await ask(killer, 'SCRIPT', 'KILL'));
    seen.push(await line(scripter));
    seen.push(await ask(killer, 'SCRIPT', 'KILL'));
    seen.push(await ask(other, 'GET', 'x'));
    // A function: BUSY and the kill name FUNCTION KILL; SCRIPT KILL does not stop it.
    seen.push(await ask(other, 'FUNCTION', 'LOAD', 'REPLACE', SPIN_LIBRARY));
    seen.push(await line(other));
    await scripter.send(resp('FCALL', 'spin', '0'));
    seen.push(await untilBusy(other));
    seen.push(await ask(killer, 'SCRIPT', 'KILL'));
    seen.push(await ask(killer, 'FUNCTION', 'KILL'));
    seen.push(await line(scripter));
    seen.push(await ask(killer, 'FUNCTION', 'KILL'));
    await scripter.send(resp('EVAL', WRITE_THEN_FOREVER, '0'));
    seen.push(await untilBusy(other));
    seen.push(await ask(killer, 'SCRIPT', 'KILL'));
    await killer.send(resp('SHUTDOWN', 'NOSAVE'));
    await Promise.all([killer.closed, scripter.closed, other.closed]);
    seen.push(`after SHUTDOWN NOSAVE: ${JSON.stringify(killer.text() + scripter.text())}`);
    return seen;
  } finally {
    for (const client of [scripter, other, killer]) client.destroy();
  }
}

/** Our server on `transport`, on a port of its own; stop() ends it if the scenario's SHUTDOWN did not. */
async function startOurs(transport: TransportName): Promise<{ port: number; stop(): Promise<unknown> }> {
  if (transport === 'eventloop') {
    const child = await launchServer(['--transport', 'eventloop']);
    return {
      port: child.port,
      stop: () => {
        stopAll();
        return child.exited;
      },
    };
  }
  const server = await startTestServer(transport, { workers: 4 });
  return { port: server.port, stop: () => server.close() };
}

describe.each(transports.filter(busyScriptsWatched))(
  '%s transport: a busy script against redis-server 7.0',
  (transport) => {
    afterEach(stopAll);

    it.skipIf(!haveRedisServer)('answers every client as Redis does, byte for byte', async () => {
      const redis = await startRedisServer();
      const ours = await startOurs(transport);
      try {
        const [theirs, mine] = [await transcript(redis.port), await transcript(ours.port)];
        expect(mine).toEqual(theirs);
        // What the comparison covered (a server that answered nothing as Redis would fail above anyway).
        expect(theirs).toContain('-NOTBUSY No scripts in execution right now.');
        expect(theirs.filter((reply) => reply.startsWith('-BUSY ')).length).toBe(8);
      } finally {
        await redis.stop();
        await ours.stop();
      }
    });
  },
);
