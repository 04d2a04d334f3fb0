// The wire behaviour on real sockets, for every transport: exact reply bytes in both framings, replies that
// follow the client (RESP once it has sent RESP; RESP3 after HELLO 3; inline-replies), pipelining, requests
// split across writes, protocol-error close, QUIT, AUTH, maxclients, idle timeout, the output buffer limit and
// graceful close with idle, half-sent and busy clients. Waits on events, never sleeps. Expected RESP3 bytes
// are redis-server 7.0.15's.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { respFrame } from '../support/live-harness.js';
import { RawClient, resp } from '../support/raw-client.js';
import { startTestServer, transports, useTestServer } from '../support/server.js';

describe.each(transports)('%s transport', (transport) => {
  describe('protocol', () => {
    const current = useTestServer(transport);

    it('answers RESP requests with exact RESP2 bytes', async () => {
      const c = await current().connect();
      expect(await c.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
      expect(await c.request(resp('SET', 'k', 'v'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await c.request(resp('GET', 'k'), '$1\r\nv\r\n')).toBe('$1\r\nv\r\n');
      expect(await c.request(resp('GET', 'missing'), '$-1\r\n')).toBe('$-1\r\n');
      expect(await c.request(resp('INCR', 'n'), ':1\r\n')).toBe(':1\r\n');
      const wrongType = '-ERR value is not an integer or out of range\r\n';
      expect(await c.request(resp('INCR', 'k'), wrongType)).toBe(wrongType);
      expect(await c.request(resp('MGET', 'k', 'missing'), '*2\r\n$1\r\nv\r\n$-1\r\n')).toBe(
        '*2\r\n$1\r\nv\r\n$-1\r\n',
      );
    });

    it("CLIENT LIST and CLIENT INFO show each client's own descriptor (fd=), as Redis does", async () => {
      const a = await current().connect();
      const b = await current().connect();
      expect(await b.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
      await a.send(resp('CLIENT', 'LIST'));
      const fds = (await a.readBulk()).match(/ fd=-?\d+ /g)?.map((f) => Number(f.slice(4, -1)));
      expect(fds).toHaveLength(2);
      for (const fd of fds ?? []) expect(fd).toBeGreaterThanOrEqual(0);
      expect(new Set(fds).size).toBe(2);
      await a.send(resp('CLIENT', 'INFO'));
      expect(fds).toContain(Number(/ fd=(-?\d+) /.exec(await a.readBulk())?.[1]));
    });

    it('keeps binary values intact', async () => {
      const c = await current().connect();
      const value = Buffer.from([0, 1, 2, 13, 10, 255, 0x80, 0x24]);
      await c.request(resp('SET', Buffer.from([0xff, 0]), value), '+OK\r\n');
      await c.send(resp('GET', Buffer.from([0xff, 0])));
      const reply = await c.read(4 + value.length + 2);
      expect(reply).toEqual(Buffer.concat([Buffer.from('$8\r\n'), value, Buffer.from('\r\n')]));
    });

    it('applies CONFIG SET proto-max-bulk-len to values grown by APPEND and SETRANGE, on every thread', async () => {
      const a = await current().connect();
      const b = await current().connect();
      expect(await a.request(resp('CONFIG', 'SET', 'proto-max-bulk-len', '1mb'), '+OK\r\n')).toBe('+OK\r\n');
      const tooBig = '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n';
      expect(await b.request(resp('SETRANGE', 'grown', String(1024 * 1024), 'x'), tooBig)).toBe(tooBig);
      expect(await b.request(resp('SETRANGE', 'grown', String(1024 * 1024 - 1), 'x'), ':1048576\r\n')).toBe(
        ':1048576\r\n',
      );
      expect(await a.request(resp('APPEND', 'grown', 'y'), tooBig)).toBe(tooBig);
      await a.request(resp('CONFIG', 'SET', 'proto-max-bulk-len', '512mb'), '+OK\r\n');
    });

    it('answers plaintext lines with plaintext replies', async () => {
      const c = await current().connect();
      expect(await c.request('PING\r\n', 'PONG\n')).toBe('PONG\n');
      expect(await c.request('SET greeting "hello world"\n', 'OK\n')).toBe('OK\n');
      expect(await c.request('GET greeting\n', '"hello world"\n')).toBe('"hello world"\n');
      expect(await c.request('GET nothing\n', '(nil)\n')).toBe('(nil)\n');
      expect(await c.request('INCR counter\n', '(integer) 1\n')).toBe('(integer) 1\n');
      const unknown = "(error) ERR unknown command 'NOPE', with args beginning with: 'x' \n";
      expect(await c.request('NOPE x\n', unknown)).toBe(unknown);
      // The same key through RESP: one keyspace. From then on the client is answered in RESP, as Redis does.
      expect(await c.request(resp('GET', 'greeting'), '$11\r\nhello world\r\n')).toBe(
        '$11\r\nhello world\r\n',
      );
      expect(await c.request('GET greeting\n', '$11\r\nhello world\r\n')).toBe('$11\r\nhello world\r\n');
    });

    it('pipelines many requests sent in one write, replies in order', async () => {
      const c = await current().connect();
      const n = 500;
      const requests: Buffer[] = [];
      let expected = '';
      for (let i = 0; i < n; i++) {
        requests.push(resp('SET', `key:${i}`, `value:${i}`), resp('GET', `key:${i}`));
        expected += `+OK\r\n$${`value:${i}`.length}\r\nvalue:${i}\r\n`;
      }
      await c.send(Buffer.concat(requests));
      expect(await c.readText(expected)).toBe(expected);
      // Mixed framings in one write: this client has sent RESP, so its inline requests are answered in RESP.
      expect(
        await c.request(`PING\r\n${resp('ECHO', 'x').toString()}PING\n`, '+PONG\r\n$1\r\nx\r\n+PONG\r\n'),
      ).toBe('+PONG\r\n$1\r\nx\r\n+PONG\r\n');
      // A client that has not: plaintext up to its first RESP request, RESP from it on.
      const fresh = await current().connect();
      expect(
        await fresh.request(`PING\r\n${resp('ECHO', 'x').toString()}PING\n`, 'PONG\n$1\r\nx\r\n+PONG\r\n'),
      ).toBe('PONG\n$1\r\nx\r\n+PONG\r\n');
    });

    it('reassembles requests split across writes, down to one byte per write', async () => {
      const c = await current().connect();
      const bytes = Buffer.concat([Buffer.from('GET split\n'), resp('SET', 'split', 'a b\r\nc')]);
      for (const byte of bytes) await c.send(Buffer.from([byte]));
      const expected = '(nil)\n+OK\r\n';
      expect(await c.readText(expected)).toBe(expected);
      // A header split mid-number and a bulk split mid-payload.
      await c.send('*2\r\n$3\r\nGE');
      await c.send('T\r\n$5\r\nspl');
      await c.send('it\r\n');
      expect(await c.readText('$6\r\na b\r\nc\r\n')).toBe('$6\r\na b\r\nc\r\n');
    });

    it('replies to a protocol error, then closes only that connection', async () => {
      const bad = await current().connect();
      const good = await current().connect();
      await good.request(resp('SET', 'survivor', '1'), '+OK\r\n');
      await bad.send('*1\r\n$abc\r\nPING\r\n');
      const rest = await bad.readToEnd();
      expect(rest.toString('latin1')).toBe('-ERR Protocol error: invalid bulk length\r\n');
      expect((await bad.closed).error).toBeNull();
      expect(await good.request(resp('GET', 'survivor'), '$1\r\n1\r\n')).toBe('$1\r\n1\r\n');
    });

    it('answers requests before a protocol error in the same write', async () => {
      const c = await current().connect();
      await c.send(`PING\r\n${resp('ECHO', 'ok').toString()}*2\r\n+bad\r\n`);
      const rest = await c.readToEnd();
      expect(rest.toString('latin1')).toBe(
        "PONG\n$2\r\nok\r\n-ERR Protocol error: expected '$', got '+'\r\n",
      );
    });

    it('closes a plaintext line longer than the inline limit after the error', async () => {
      const c = await current().connect();
      await c.send(`SET k ${'x'.repeat(70 * 1024)}`); // no newline: the limit applies before one arrives
      const rest = await c.readToEnd();
      expect(rest.toString('latin1')).toBe('(error) ERR Protocol error: too big inline request\n');
    });

    it('QUIT replies +OK, ignores what follows and closes', async () => {
      const c = await current().connect();
      await c.send(`${resp('QUIT').toString()}${resp('PING').toString()}`);
      expect((await c.readToEnd()).toString('latin1')).toBe('+OK\r\n');
    });

    it('a client reset ends only that client', async () => {
      const gone = await current().connect();
      const stays = await current().connect();
      await gone.request(resp('PING'), '+PONG\r\n');
      await gone.send(resp('SET', 'a', 'b'));
      gone.destroy();
      await gone.closed;
      expect(await stays.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
    });

    it('reports the transport and connected clients in stats', async () => {
      const a = await current().connect();
      await a.request(resp('PING'), '+PONG\r\n');
      const stats = current().server.stats();
      expect(stats.transport).toBe(transport);
      expect(stats.connectedClients).toBe(1);
      expect(stats.totalConnections).toBe(1);
    });
  });

  describe('RESP3', () => {
    const current = useTestServer(transport);

    const hello = (proto: number, id: number): string =>
      `${proto === 3 ? '%7' : '*14'}\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n` +
      `$5\r\nproto\r\n:${proto}\r\n$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n` +
      '$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n';

    it('HELLO 3 switches the connection to RESP3 and HELLO 2 back, with exact bytes', async () => {
      const c = await current().connect();
      await c.send(resp('CLIENT', 'ID'));
      const id = Number((await c.readLine()).slice(1));
      expect(await c.request(resp('HELLO', '3'), hello(3, id))).toBe(hello(3, id));
      expect(await c.request(resp('GET', 'none'), '_\r\n')).toBe('_\r\n');
      expect(await c.request(resp('SET', 'k', 'v'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await c.request(resp('MGET', 'k', 'none'), '*2\r\n$1\r\nv\r\n_\r\n')).toBe(
        '*2\r\n$1\r\nv\r\n_\r\n',
      );
      const config = '%1\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n';
      expect(await c.request(resp('CONFIG', 'GET', 'maxclients'), config)).toBe(config);
      // Inline requests of this client are answered in its protocol too.
      expect(await c.request('GET none\r\n', '_\r\n')).toBe('_\r\n');
      expect(await c.request(resp('HELLO'), hello(3, id))).toBe(hello(3, id));
      expect(await c.request(resp('HELLO', '2'), hello(2, id))).toBe(hello(2, id));
      expect(await c.request(resp('GET', 'none'), '$-1\r\n')).toBe('$-1\r\n');
      const noproto = '-NOPROTO unsupported protocol version\r\n';
      expect(await c.request(resp('HELLO', '4'), noproto)).toBe(noproto);
    });

    it('sends INFO and CLIENT INFO / LIST as verbatim text, and resp= names the protocol', async () => {
      const c = await current().connect();
      await c.send(resp('HELLO', '3'));
      await c.readFramed(respFrame);
      await c.send(resp('INFO', 'keyspace'));
      expect((await c.readFramed(respFrame)).toString()).toBe('=16\r\ntxt:# Keyspace\r\n\r\n');
      await c.send(resp('CLIENT', 'INFO'));
      const info = (await c.readFramed(respFrame)).toString();
      expect(info).toMatch(/^=\d+\r\ntxt:id=\d+ addr=.* resp=3\n\r\n$/);
      const other = await current().connect();
      expect(await other.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
      await c.send(resp('CLIENT', 'LIST'));
      const list = (await c.readFramed(respFrame)).toString();
      // The other client, served by another thread on the pool, is listed with its own protocol.
      expect(list.match(/resp=\d/g)?.sort()).toEqual(['resp=2', 'resp=3']);
    });

    it('answers EXEC after a watched key changed with _ in RESP3', async () => {
      const c = await current().connect();
      const other = await current().connect();
      await c.send(resp('HELLO', '3'));
      await c.readFramed(respFrame);
      expect(await c.request(resp('WATCH', 'w'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await other.request(resp('SET', 'w', '1'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await c.request(Buffer.concat([resp('MULTI'), resp('GET', 'w')]), '+OK\r\n+QUEUED\r\n')).toBe(
        '+OK\r\n+QUEUED\r\n',
      );
      expect(await c.request(resp('EXEC'), '_\r\n')).toBe('_\r\n');
    });

    it('RESET goes back to RESP2', async () => {
      const c = await current().connect();
      await c.send(resp('HELLO', '3'));
      await c.readFramed(respFrame);
      expect(await c.request(resp('RESET'), '+RESET\r\n')).toBe('+RESET\r\n');
      expect(await c.request(resp('GET', 'none'), '$-1\r\n')).toBe('$-1\r\n');
    });
  });

  describe('inline-replies', () => {
    it('resp: answers every inline request in RESP, as a health checker expects ("PING\\r\\n" -> "+PONG")', async () => {
      const server = await startTestServer(transport, { inlineReplies: 'resp' });
      try {
        const c = await server.connect();
        expect(await c.request('PING\r\n', '+PONG\r\n')).toBe('+PONG\r\n');
        expect(await c.request('GET none\n', '$-1\r\n')).toBe('$-1\r\n');
        expect(
          await c.request('CONFIG GET inline-replies\n', '*2\r\n$14\r\ninline-replies\r\n$4\r\nresp\r\n'),
        ).toBe('*2\r\n$14\r\ninline-replies\r\n$4\r\nresp\r\n');
      } finally {
        await server.close();
      }
    });

    it('CONFIG SET inline-replies applies to every connected client, on every thread', async () => {
      const server = await startTestServer(transport);
      try {
        const admin = await server.connect();
        const checker = await server.connect();
        expect(await checker.request('PING\r\n', 'PONG\n')).toBe('PONG\n');
        expect(await admin.request(resp('CONFIG', 'SET', 'inline-replies', 'resp'), '+OK\r\n')).toBe(
          '+OK\r\n',
        );
        // On the pool the checker is served by another worker thread: the change reaches it before its next read.
        expect(await checker.request('PING\r\n', '+PONG\r\n')).toBe('+PONG\r\n');
        const fresh = await server.connect();
        expect(await fresh.request('PING\r\n', '+PONG\r\n')).toBe('+PONG\r\n');
        expect(await admin.request(resp('CONFIG', 'SET', 'inline-replies', 'plain'), '+OK\r\n')).toBe(
          '+OK\r\n',
        );
        expect(await checker.request('PING\r\n', 'PONG\n')).toBe('PONG\n');
        const bad =
          "-ERR CONFIG SET failed (possibly related to argument 'inline-replies') - argument(s) must be one of " +
          'the following: plain, resp\r\n';
        expect(await admin.request(resp('CONFIG', 'SET', 'inline-replies', 'json'), bad)).toBe(bad);
      } finally {
        await server.close();
      }
    });
  });

  describe('AUTH with requirepass', () => {
    const current = useTestServer(transport, { requirepass: 's3cret' });

    it('answers NOAUTH until AUTH succeeds', async () => {
      const c = await current().connect();
      const noauth = '-NOAUTH Authentication required.\r\n';
      expect(await c.request(resp('GET', 'k'), noauth)).toBe(noauth);
      const wrong = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
      expect(await c.request(resp('AUTH', 'nope'), wrong)).toBe(wrong);
      expect(await c.request('GET k\n', noauth)).toBe(noauth); // RESP: this client has sent RESP
      const plain = await current().connect();
      expect(await plain.request('GET k\n', '(error) NOAUTH Authentication required.\n')).toBe(
        '(error) NOAUTH Authentication required.\n',
      );
      expect(await c.request(resp('AUTH', 's3cret'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await c.request(resp('GET', 'k'), '$-1\r\n')).toBe('$-1\r\n');
      // Authentication is per connection.
      const other = await current().connect();
      expect(await other.request(resp('PING'), noauth)).toBe(noauth);
    });
  });

  it('turns away clients past maxclients with an error, then closes them', async () => {
    const server = await startTestServer(transport, { maxclients: 2 });
    try {
      const a = await server.connect();
      const b = await server.connect();
      // Served: both were accepted before the third arrives.
      await a.request(resp('PING'), '+PONG\r\n');
      await b.request(resp('PING'), '+PONG\r\n');
      const third = await server.connect();
      expect((await third.readToEnd()).toString('latin1')).toBe('-ERR max number of clients reached\r\n');
      expect(server.server.stats().rejectedConnections).toBe(1);
      // The clients already connected are unaffected.
      expect(await a.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
    } finally {
      await server.close();
    }
  });

  it('closes clients idle longer than timeout (1 s), and only those', async () => {
    const server = await startTestServer(transport, { timeout: 1, idleCheckIntervalMs: 50 });
    try {
      const idle = await server.connect();
      const started = Date.now();
      await idle.request(resp('PING'), '+PONG\r\n');
      expect((await idle.readToEnd()).length).toBe(0);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(1000);
      expect(elapsed).toBeLessThan(5000);
      const fresh = await server.connect();
      expect(await fresh.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
    } finally {
      await server.close();
    }
  });

  describe('graceful close', () => {
    it('answers what was received, then closes idle, half-sent and busy clients', async () => {
      const server = await startTestServer(transport);
      const idle = await server.connect();
      await idle.request(resp('PING'), '+PONG\r\n');
      const half = await server.connect();
      await half.request(resp('PING'), '+PONG\r\n');
      await half.send('*2\r\n$3\r\nGET\r\n$5\r\nhal'); // never finished
      // Busy: a pipeline whose replies (~8 MB) cannot all be in the kernel when close starts.
      const busy = await server.connect({ paused: true });
      const big = 'v'.repeat(64 * 1024);
      const setup = await server.connect();
      await setup.request(resp('SET', 'big', big), '+OK\r\n');
      const count = 128;
      const pipeline = Buffer.concat(Array.from({ length: count }, () => resp('GET', 'big')));
      const reply = `$${big.length}\r\n${big}\r\n`;
      await busy.send(Buffer.concat([resp('PING'), pipeline]));
      // The first reply proves the server has started on the pipeline; stop reading until close begins.
      busy.resume();
      expect(await busy.readText('+PONG\r\n')).toBe('+PONG\r\n');
      busy.pause();
      setup.destroy();
      await setup.closed;

      const closed = server.server.close();
      const [idleRest, halfRest, busyRest] = await Promise.all([
        idle.readToEnd(),
        half.readToEnd(),
        busy.readToEnd(),
      ]);
      await closed;
      expect(idleRest.length).toBe(0);
      expect(halfRest.length).toBe(0);
      // Every reply to the pipeline the server had read, intact, then the close.
      expect(busyRest.length).toBe(count * reply.length);
      expect(busyRest.toString('latin1')).toBe(reply.repeat(count));
      expect(idle.isClosed && half.isClosed && busy.isClosed).toBe(true);
      // Stopped accepting.
      await expect(server.connect()).rejects.toThrow(/ECONNREFUSED/);
    });
  });
});

describe.each(transports.filter((t) => t === 'eventloop'))(
  '%s transport: output buffer limit',
  (transport) => {
    it('disconnects a client that does not read its replies once its output passes the limit', async () => {
      const server = await startTestServer(transport, {
        config: { 'client-output-buffer-limit-bytes': '1mb' },
      });
      try {
        const setup = await server.connect();
        const value = 'x'.repeat(256 * 1024);
        await setup.request(resp('SET', 'big', value), '+OK\r\n');
        const slow = await server.connect({ paused: true });
        // 100 replies of 256 KiB (25 MiB) in one pipeline: more than the kernel buffers plus the 1 MiB limit.
        await slow.send(Buffer.concat(Array.from({ length: 100 }, () => resp('GET', 'big'))));
        const warning = await server.logs.waitFor(
          (l) => l.msg === 'client output buffer limit reached: closing the client',
        );
        expect(warning.limit).toBe(1024 * 1024);
        const received = await slow.readToEnd();
        expect(received.length).toBeLessThan(100 * value.length);
        // The server carries on.
        expect(await setup.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
      } finally {
        await server.close();
      }
    });

    it('stops reading a client whose replies back up, and catches up when it reads', async () => {
      const server = await startTestServer(transport);
      try {
        const c = await server.connect({ paused: true });
        const value = 'y'.repeat(128 * 1024);
        await c.send(resp('SET', 'big', value));
        const count = 200; // ~25 MiB of replies: the server must pause reading and resume on 'drain'
        const reply = `$${value.length}\r\n${value}\r\n`;
        await c.send(Buffer.concat(Array.from({ length: count }, () => resp('GET', 'big'))));
        c.resume();
        const all = await c.read(5 + count * reply.length);
        expect(all.subarray(0, 5).toString()).toBe('+OK\r\n');
        expect(all.subarray(5).toString('latin1')).toBe(reply.repeat(count));
      } finally {
        await server.close();
      }
    });
  },
);

describe('eventloop transport: out of file descriptors', () => {
  it('survives EMFILE on accept: logs once, does not spin, serves again once clients leave', async () => {
    const root = new URL('../../', import.meta.url);
    const dist = (path: string): string => new URL(`dist/src/${path}`, root).href;
    // The transport runs in a child whose descriptor limit is tiny, built directly (startServer would lower
    // maxclients below the limit, which is the point of it): here only EMFILE can stop the flood.
    const script = `
      import { pino } from 'pino';
      import { ALL_COMMANDS } from '${dist('core/commands/table.js')}';
      import { Config, limitsFromConfig } from '${dist('core/config.js')}';
      import { createCommandTable } from '${dist('core/executor.js')}';
      import { ByteWriter } from '${dist('core/reply-encoding.js')}';
      import { createServerContext } from '${dist('core/server-context.js')}';
      import { SharedStore } from '${dist('core/store/store.js')}';
      import { EventLoopTransport } from '${dist('transport/eventloop/index.js')}';
      const config = new Config({});
      const store = SharedStore.create({ clock: Date.now });
      let transport;
      const server = createServerContext({ clock: Date.now, config, version: '0.1.0', startedAt: Date.now(),
        tcpPort: 0, commands: createCommandTable(ALL_COMMANDS), clients: () => transport.clients(),
        transportStats: () => transport.stats(), reportUnexpected: () => {} });
      let id = 0;
      transport = new EventLoopTransport({ host: '127.0.0.1', port: 0, backlog: 511, config,
        logger: pino({ level: 'warn' }), nextClientId: () => ++id,
        sessionCore: () => ({ store, server, limits: limitsFromConfig(config), writer: new ByteWriter() }) });
      const { port } = await transport.listen();
      console.log(JSON.stringify({ port }));
      process.stdin.on('end', () => transport.close().then(() => process.exit(0)));
      process.stdin.resume();`;
    const child = spawn(
      'sh',
      // 256: loading the server's modules opens many files at once (Node's loader reads them in parallel), and
      // 128 no longer left room for them once the stream modules came; the flood below passes 256.
      ['-c', 'ulimit -n 256 && exec "$0" --input-type=module -e "$1"', process.execPath, script],
      {
        cwd: fileURLToPath(root),
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      lines.push(...text.split('\n').filter((l) => l !== ''));
      for (const wake of waiters.splice(0)) wake();
    });
    let exited = false;
    child.once('exit', () => {
      exited = true;
      for (const wake of waiters.splice(0)) wake();
    });
    const nextLine = async (match: (line: string) => boolean): Promise<string> => {
      for (;;) {
        if (exited) throw new Error(`the server exited; it printed: ${lines.join('\n')}`);
        const found = lines.find(match);
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    const flood: RawClient[] = [];
    try {
      const { port } = JSON.parse(await nextLine((l) => l.includes('"port"'))) as { port: number };
      for (let i = 0; i < 300; i++) flood.push(await RawClient.connect(port));
      await nextLine((l) => l.includes('out of file descriptors'));
      // Not a spin: with the limit still hit, the server uses (almost) no CPU.
      const cpuTicks = (): number => {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return Number(fields[11]) + Number(fields[12]); // utime + stime, 1/100 s
      };
      const before = cpuTicks();
      await new Promise((resolve) => setTimeout(resolve, 500)); // a measurement window, not a wait for an event
      expect(cpuTicks() - before).toBeLessThan(20);
      // Logged once for the burst (rate-limited), however many accepts failed.
      expect(lines.filter((l) => l.includes('out of file descriptors'))).toHaveLength(1);
      // The clients that were accepted are served.
      // libuv dropped the connections it could not take (the client sees a reset or EOF); they are not served.
      const accepted = flood.filter((c) => !c.isClosed);
      expect(accepted.length).toBeGreaterThan(0);
      expect(accepted.length).toBeLessThan(flood.length);
      expect(await accepted[0].request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
      for (const client of flood) client.destroy();
      await Promise.all(flood.map((c) => c.closed));
      // Served again once the server has seen those closes (until then a new client may still be dropped).
      let answered = '';
      while (answered !== '+PONG\r\n') {
        const fresh = await RawClient.connect(port);
        answered = await fresh.request(resp('PING'), '+PONG\r\n').catch(() => '');
        fresh.destroy();
      }
      expect(answered).toBe('+PONG\r\n');
    } finally {
      for (const client of flood) client.destroy();
      child.stdin.end();
      if (!exited) await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
