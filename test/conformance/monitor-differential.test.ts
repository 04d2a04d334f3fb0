// MONITOR against real Redis, for every transport: the same script of requests (binary arguments, AUTH and
// HELLO to redact, admin commands to hide, refused commands, MULTI/EXEC, SELECT, RESET, a monitor's own
// commands, FUNCTION and an FCALL with the command its function runs) sent to redis-lite and to a redis-server
// this file starts on a free loopback port (no persistence, stopped by PID afterwards), each watched by a monitor
// on another connection. The monitors' lines must be the
// same, ignoring the timestamp and the client's port. Skipped when redis-server is not on PATH.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPath, startRedisServer, type RedisServerProcess } from '../support/live-tools.js';
import { RawClient, resp } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

type Step = { readonly by: 'client' | 'monitor'; readonly request: Buffer };
const client = (...argv: (string | Uint8Array)[]): Step => ({ by: 'client', request: resp(...argv) });
const inline = (line: string): Step => ({ by: 'client', request: Buffer.from(`${line}\r\n`, 'latin1') });
const byMonitor = (...argv: string[]): Step => ({ by: 'monitor', request: resp(...argv) });

const SCRIPT: readonly Step[] = [
  client('SET', 'k', Buffer.from('a\x00\xff"\\\n\r\t\x07\x08 é', 'latin1')),
  client('GET', 'k'),
  client('AUTH', 'secret'),
  client('AUTH', 'user', 'secret'),
  client('AUTH', 'a', 'b', 'c'),
  client('HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'x'),
  client('HELLO', '3', 'SETNAME', 'x'),
  client('HELLO', '2'),
  client('HELLO', '9', 'AUTH', 'u', 'p'),
  client('SELECT', '3'),
  client('MULTI'),
  client('SET', 'a', '1'),
  client('INCR', 'a'),
  client('NOSUCH'),
  client('EXEC'),
  client('MULTI'),
  client('SET', 'a', '2'),
  client('EXEC'),
  client('CONFIG', 'GET', 'port'),
  client('CLIENT', 'LIST'),
  client('CLIENT', 'SETNAME', 'n'),
  client('CLIENT', 'ID'),
  client('CLIENT', 'NOSUCH'),
  client('DEBUG', 'SLEEP', '0'),
  client('GET'),
  client('INCR', 'k'),
  client('MSET', 'x', '1', 'y', '2'),
  client('DEL', 'x', 'y', 'z'),
  client('EXPIRE', 'a', '100'),
  client('PUBLISH', 'ch', 'msg'),
  client('ECHO', '12345'),
  client('INFO', 'keyspace'),
  client('COMMAND', 'COUNT'),
  // A function's call and the commands it runs, as the script's client ([db lua]); FUNCTION itself is shown.
  client(
    'FUNCTION',
    'LOAD',
    'REPLACE',
    "#!lua name=mon\nredis.register_function('mon', function(k) return redis.call('GET', k[1]) end)",
  ),
  client('FCALL', 'mon', '1', 'k'),
  client('FCALL', 'nosuch', '0'),
  client('FUNCTION', 'DELETE', 'mon'),
  inline('set "inline arg" \'v\''),
  byMonitor('PING'),
  byMonitor('GET', 'k'),
  byMonitor('ECHO', 'from monitor'),
  client('RESET'),
  client('GET', 'a'),
  client('ECHO', 'end'),
];

/**
 * Runs the script against the server on `port`; the monitor's stream as lines (its own replies among them),
 * without time and client port.
 */
async function monitorLines(port: number): Promise<string[]> {
  const monitor = await RawClient.connect(port);
  const other = await RawClient.connect(port);
  try {
    await monitor.send(resp('MONITOR'));
    expect(await monitor.readLine()).toBe('+OK\r\n');
    const lines: string[] = [];
    for (const step of SCRIPT) {
      if (step.by === 'monitor') {
        // The monitor's replies and lines share its stream, read as lines at the end: let its request be
        // served before the client's next command (the same on both servers).
        await monitor.send(step.request);
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      await other.send(step.request);
      await other.readFramed(replyLength);
    }
    for (;;) {
      const line = await monitor.readLine();
      lines.push(
        line
          .replace(/^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]/, '[$1 addr]')
          .replace(/^\+\d+\.\d{6} \[(\d+) lua\]/, '[$1 lua]'),
      );
      if (line.endsWith('"ECHO" "end"\r\n')) return lines;
    }
  } finally {
    monitor.destroy();
    other.destroy();
  }
}

/** The length of the first whole RESP reply in `b` (a monitor line counts as a status), or -1. */
function replyLength(b: Buffer, at = 0): number {
  const end = b.indexOf('\r\n', at);
  if (end < 0) return -1;
  const type = String.fromCharCode(b[at]);
  const n = Number(b.toString('latin1', at + 1, end));
  if (type === '$') return n < 0 ? end + 2 - at : b.length >= end + 4 + n ? end + 4 + n - at : -1;
  if (type === '=') return b.length >= end + 4 + n ? end + 4 + n - at : -1;
  if (type === '*' || type === '%' || type === '>' || type === '~') {
    let next = end + 2;
    for (let i = 0; i < (type === '%' ? 2 * n : Math.max(0, n)); i++) {
      const size = replyLength(b, next);
      if (size < 0) return -1;
      next += size;
    }
    return next - at;
  }
  return end + 2 - at;
}

describe.skipIf(!onPath('redis-server'))('MONITOR against redis-server 7.0', () => {
  let redis: RedisServerProcess;
  let expected: string[];

  beforeAll(async () => {
    redis = await startRedisServer();
    expected = await monitorLines(redis.port);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('redis-server shows what this script expects of it', () => {
    expect(expected[0]).toMatch(/^\[0 addr\] "SET" "k" "a\\x00\\xff\\"\\\\\\n\\r\\t\\a\\b \\xe9"\r\n$/);
    expect(expected).toContain('[0 addr] "AUTH" "(redacted)"\r\n');
    expect(expected.some((l) => l.includes('CONFIG') || l.includes('DEBUG'))).toBe(false);
  });

  describe.each(transports)('%s transport', (transport) => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(transport, { workers: transport === 'hybrid' ? 2 : 4 });
    });
    afterAll(async () => {
      await server.close();
    });

    it('shows the same lines as redis-server, in the same order', async () => {
      expect(await monitorLines(server.port)).toEqual(expected);
    });
  });
});
