// MONITOR on real sockets, on every transport: a monitor sees the commands of clients served by other threads
// (on the pool each connection has its own worker, the hybrid spreads connections over two loops), in each
// client's order, with the database and address; admin commands hidden, AUTH redacted; RESET ends it; a monitor
// that stops reading is cut at the output limit while the client it watches goes on; redis-cli --... monitor
// reads it. Also the plaintext form of multi-line text (INFO): "(text) N" and N lines, then the next reply.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onPath } from '../support/live-tools.js';
import { type RawClient, resp } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const LINE = /^\+(\d+)\.(\d{6}) \[(\d+) 127\.0\.0\.1:(\d+)\] (.*)\r\n$/;
const OUTPUT_LIMIT = 256 * 1024;

interface MonitorLine {
  readonly db: number;
  readonly port: number;
  readonly args: string;
  readonly micros: number;
}

async function readMonitorLine(monitor: RawClient): Promise<MonitorLine> {
  const line = await monitor.readLine();
  const match = LINE.exec(line);
  if (match === null) throw new Error(`not a MONITOR line: ${JSON.stringify(line)}`);
  return {
    micros: Number(match[1]) * 1e6 + Number(match[2]),
    db: Number(match[3]),
    port: Number(match[4]),
    args: match[5],
  };
}

function localPort(client: RawClient): number {
  return client.socket.localPort!;
}

describe.each(transports)('%s transport: MONITOR', (transport) => {
  let server: TestServer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startTestServer(transport, {
      workers: transport === 'hybrid' ? 2 : 10,
      config: { 'client-output-buffer-limit-bytes': String(OUTPUT_LIMIT) },
    });
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill();
  });
  afterAll(async () => {
    await server.close();
  });

  it('sees the commands of clients on other threads, in each client’s order, with db and address', async () => {
    const monitor = await server.connect();
    expect(await monitor.request(resp('MONITOR'), '+OK\r\n')).toBe('+OK\r\n');
    const clients = await Promise.all([0, 1, 2, 3].map(() => server.connect()));
    const before = Date.now() * 1000;
    await Promise.all(
      clients.map(async (client, i) => {
        expect(await client.request(resp('SET', `k${i}`, `v ${i}\n`), '+OK\r\n')).toBe('+OK\r\n');
        expect(await client.request(resp('SELECT', '2'), '+OK\r\n')).toBe('+OK\r\n');
        expect(await client.request(resp('GET', `k${i}`), '$-1\r\n')).toBe('$-1\r\n');
      }),
    );
    const lines: MonitorLine[] = [];
    for (let n = 0; n < clients.length * 3; n++) lines.push(await readMonitorLine(monitor));
    clients.forEach((client, i) => {
      const mine = lines.filter((line) => line.port === localPort(client));
      expect(mine.map((line) => `${line.db} ${line.args}`)).toEqual([
        `0 "SET" "k${i}" "v ${i}\\n"`,
        `2 "SELECT" "2"`,
        `2 "GET" "k${i}"`,
      ]);
    });
    // Microsecond wall-clock times, never going back within one client's lines.
    for (const line of lines) expect(line.micros).toBeGreaterThanOrEqual(before - 1_000_000);
    await Promise.all(clients.map((client) => client.request(resp('QUIT'), '+OK\r\n')));
  });

  it('CLIENT LIST on another thread shows the monitor as Redis does: flags=O cmd=monitor', async () => {
    const monitor = await server.connect();
    await monitor.request(resp('MONITOR'), '+OK\r\n');
    const client = await server.connect();
    await client.send(resp('CLIENT', 'LIST'));
    const list = await client.readBulk();
    const line = list.split('\n').find((l) => l.includes(`addr=127.0.0.1:${localPort(monitor)} `));
    expect(line).toMatch(/ flags=O db=0 .* cmd=monitor /);
    const own = list.split('\n').find((l) => l.includes(`addr=127.0.0.1:${localPort(client)} `));
    expect(own).toMatch(/ flags=N /);
  });

  it('hides admin commands, redacts AUTH, refuses keyspace access to the monitor, and ends at RESET', async () => {
    const monitor = await server.connect();
    await monitor.request(resp('MONITOR'), '+OK\r\n');
    const client = await server.connect();
    const port = String(server.port);
    const configReply = `*2\r\n$4\r\nport\r\n$${port.length}\r\n${port}\r\n`;
    expect(await client.request(resp('CONFIG', 'GET', 'port'), configReply)).toBe(configReply);
    await client.send(resp('AUTH', 'user', 'secret'));
    expect(await client.readLine()).toMatch(/^-(WRONGPASS|ERR)/);
    await client.request(resp('PING'), '+PONG\r\n');
    expect((await readMonitorLine(monitor)).args).toBe('"AUTH" "(redacted)" "(redacted)"');
    expect((await readMonitorLine(monitor)).args).toBe('"PING"');
    await monitor.send(resp('GET', 'x'));
    expect(await monitor.readLine()).toBe("-ERR Replica can't interact with the keyspace\r\n");
    await monitor.send(resp('RESET'));
    expect(await monitor.readLine()).toBe('+RESET\r\n');
    // Its own RESET is not shown to it any more; a later command of another client neither.
    await client.request(resp('ECHO', 'after'), '$5\r\nafter\r\n');
    expect(await monitor.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(monitor.text()).toBe('');
  });

  it('cuts a monitor that stops reading at the output limit; the client it watches goes on', async () => {
    const monitor = await server.connect();
    await monitor.request(resp('MONITOR'), '+OK\r\n');
    monitor.pause();
    const writer = await server.connect();
    const value = 'x'.repeat(32 * 1024);
    for (let i = 0; i < 400 && !monitor.isClosed; i++) {
      await writer.request(resp('SET', 'big', value), '+OK\r\n');
    }
    await until(() => monitor.isClosed || server.logs.matching('output buffer limit').length > 0, 'cut');
    expect(server.logs.matching('output buffer limit').length).toBeGreaterThan(0);
    expect(await writer.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
  });

  it('never times a monitor out, as Redis never times out its replica-like client; an idle client is', async () => {
    const idleServer = await startTestServer(transport, {
      timeout: 1,
      idleCheckIntervalMs: 50,
      workers: transport === 'hybrid' ? 2 : 4,
    });
    try {
      const monitor = await idleServer.connect();
      await monitor.request(resp('MONITOR'), '+OK\r\n');
      const idle = await idleServer.connect();
      await idle.request(resp('PING'), '+PONG\r\n');
      await monitor.readLine(); // the PING's line
      expect((await idle.readToEnd()).length).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(monitor.isClosed).toBe(false);
      const other = await idleServer.connect();
      await other.request(resp('ECHO', 'still'), '$5\r\nstill\r\n');
      expect((await readMonitorLine(monitor)).args).toBe('"ECHO" "still"');
    } finally {
      await idleServer.close();
    }
  });

  it.skipIf(!onPath('redis-cli'))('redis-cli monitor prints the commands of another client', async () => {
    const child = spawn('redis-cli', ['-h', server.host, '-p', String(server.port), 'monitor']);
    children.push(child);
    let out = '';
    child.stdout.setEncoding('latin1').on('data', (s: string) => (out += s));
    await until(() => out.includes('OK'), 'redis-cli monitor said OK');
    const client = await server.connect();
    await client.request(resp('SET', 'from-cli', 'a b'), '+OK\r\n');
    await until(() => out.includes('"SET" "from-cli" "a b"'), 'redis-cli printed the SET');
    expect(out).toMatch(/^OK\n\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "from-cli" "a b"\n/);
  });

  it('plaintext: multi-line text (INFO) is "(text) N" then its N lines; the next reply follows', async () => {
    const client = await server.connect();
    await client.send('INFO server\r\nPING\r\n');
    const header = await client.readLine();
    const count = /^\(text\) (\d+)\n$/.exec(header);
    expect(count).not.toBeNull();
    const lines: string[] = [];
    for (let i = 0; i < Number(count![1]); i++) lines.push(await client.readLine());
    expect(lines[0]).toBe('# Server\n');
    expect(lines.some((line) => /^redis_version:7\./.test(line))).toBe(true);
    expect(lines.every((line) => !line.includes('\r'))).toBe(true);
    expect(await client.readLine()).toBe('PONG\n');
  });
});
