// The HTTP interface (--http-port, src/http/) on real sockets, on every transport: Webdis's URL scheme and its
// JSON shapes (checked against webdis 0.1.9 in front of Redis 7.0 by hand: the expected bodies below are what it
// answered), the other output formats, POST and PUT, one store shared with RESP clients, keep-alive and
// pipelining, requirepass, bad requests, refused commands, /metrics and /healthz.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  exchange,
  get,
  parseResponse,
  readResponse,
  withBody,
  type HttpResponse,
} from '../support/http-client.js';
import { RawClient, resp } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';
import { packageVersion, type ServerOptions } from '../../src/server.js';

describe.each(transports)('%s transport: HTTP interface', (transport) => {
  let server: TestServer;
  const clients: RawClient[] = [];

  async function start(options: Partial<ServerOptions> = {}): Promise<void> {
    server = await startTestServer(transport, { httpPort: 0, ...options });
  }

  async function http(): Promise<RawClient> {
    const address = server.server.httpAddress!;
    const client = await RawClient.connect(address.port, address.host);
    clients.push(client);
    return client;
  }

  /** One request on a fresh connection. */
  async function fetchOnce(request: string | Buffer): Promise<HttpResponse> {
    return exchange(await http(), request);
  }

  async function json(path: string): Promise<unknown> {
    const response = await fetchOnce(get(path));
    expect(response.headers['content-type']).toBe('application/json');
    return JSON.parse(response.text);
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.close();
  });

  describe('Webdis URL scheme and JSON', () => {
    beforeEach(() => start());

    it('writes each reply type as Webdis does', async () => {
      expect(await json('/SET/k/hello')).toEqual({ SET: [true, 'OK'] });
      expect(await json('/GET/k')).toEqual({ GET: 'hello' });
      expect(await json('/GET/nokey')).toEqual({ GET: null });
      expect(await json('/INCR/k')).toEqual({ INCR: [false, 'ERR value is not an integer or out of range'] });
      expect(await json('/INCR/n')).toEqual({ INCR: 1 });
      expect(await json('/MGET/k/n/x')).toEqual({ MGET: ['hello', '1', null] });
      expect(await json('/PING')).toEqual({ PING: [true, 'PONG'] });
      expect(await json('/SET/k')).toEqual({
        SET: [false, "ERR wrong number of arguments for 'set' command"],
      });
      expect(await json('/FOO/bar')).toEqual({
        FOO: [false, "ERR unknown command 'FOO', with args beginning with: 'bar' "],
      });
      // The key is the command as written.
      expect(await json('/get/k')).toEqual({ get: 'hello' });
    });

    it('decodes arguments: %2f and %2e inside an argument, + as a space, an empty last segment', async () => {
      expect(await json('/SET/p/a+b%2fc%2ed%25')).toEqual({ SET: [true, 'OK'] });
      expect(await json('/GET/p')).toEqual({ GET: 'a b/c.d%' });
      expect(await json('/SET/e/')).toEqual({ SET: [true, 'OK'] });
      expect(await json('/STRLEN/e')).toEqual({ STRLEN: 0 });
      // An unknown extension is part of the argument; a known one is the format.
      expect(await json('/SET/k.foo/v')).toEqual({ SET: [true, 'OK'] });
      expect(await json('/GET/k.foo')).toEqual({ GET: 'v' });
      expect(await json('/GET/k.foo.json')).toEqual({ GET: 'v' });
    });

    it('answers INFO as an object of its fields, and UTF-8 values as JSON text', async () => {
      expect(await json('/INFO/keyspace')).toEqual({ INFO: {} });
      await json('/SET/u/%C3%A9t%C3%A9');
      expect(await json('/INFO/keyspace')).toEqual({ INFO: { db0: 'keys=1,expires=0,avg_ttl=0' } });
      expect(await json('/INFO/server')).toMatchObject({
        INFO: { redis_version: '7.0.0', tcp_port: String(server.port) },
      });
      const response = await fetchOnce(get('/GET/u'));
      expect(JSON.parse(response.text)).toEqual({ GET: 'été' });
      expect(Number(response.headers['content-length'])).toBe(response.body.length);
    });

    it('serves .raw as RESP, .txt and other types as the bare value, ?type= and ?sep=', async () => {
      await json('/SET/k/hello');
      await json('/SET/n/2');
      let r = await fetchOnce(get('/GET/k.raw'));
      expect([r.headers['content-type'], r.text]).toEqual(['binary/octet-stream', '$5\r\nhello\r\n']);
      r = await fetchOnce(get('/PING.raw'));
      expect(r.text).toBe('+PONG\r\n');
      r = await fetchOnce(get('/GET/k.txt'));
      expect([r.status, r.headers['content-type'], r.text]).toEqual([200, 'text/plain', 'hello']);
      r = await fetchOnce(get('/GET/k.html'));
      expect(r.headers['content-type']).toBe('text/html');
      r = await fetchOnce(get('/GET/nokey.txt'));
      expect([r.status, r.text]).toEqual([404, '']);
      r = await fetchOnce(get('/INCR/n.txt'));
      expect(r.text).toBe('3');
      r = await fetchOnce(get('/MGET/k/n.txt?sep=,'));
      expect(r.text).toBe('hello,3');
      r = await fetchOnce(get('/GET/k?type=application/x-thing'));
      expect([r.headers['content-type'], r.text]).toEqual(['application/x-thing', 'hello']);
      r = await fetchOnce(get('/GET/k?type=text/plain%0d%0aX-Injected:%201'));
      expect(r.status).toBe(400);
    });

    it('takes the command from a POST body and the last argument from a PUT body', async () => {
      let r = await fetchOnce(withBody('POST', '/', 'SET/pk/v1'));
      expect(JSON.parse(r.text)).toEqual({ SET: [true, 'OK'] });
      const binary = Buffer.from([0, 1, 2, 0xff, 0x2f, 0x2e, 0x0d, 0x0a]);
      r = await fetchOnce(withBody('PUT', '/SET/pu', binary));
      expect(JSON.parse(r.text)).toEqual({ SET: [true, 'OK'] });
      r = await fetchOnce(get('/GET/pu.bin'));
      expect(r.body).toEqual(binary);
      r = await fetchOnce(withBody('POST', '/', 'GET/pk.txt'));
      expect(r.text).toBe('v1');
    });

    it('runs /N/COMMAND in database N for that request only', async () => {
      expect(await json('/3/SET/a/three')).toEqual({ SET: [true, 'OK'] });
      expect(await json('/GET/a')).toEqual({ GET: null });
      expect(await json('/3/GET/a')).toEqual({ GET: 'three' });
      const r = await fetchOnce(get('/99/GET/a'));
      expect([r.status, r.text]).toEqual([400, 'database 99 does not exist (databases: 16)\n']);
    });

    it('shares one store with RESP clients', async () => {
      const redis = await server.connect();
      expect(await redis.request(resp('SET', 'shared', 'from-resp'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await json('/GET/shared')).toEqual({ GET: 'from-resp' });
      await json('/SET/shared/from-http');
      await redis.send(resp('GET', 'shared'));
      expect(await redis.readBulk()).toBe('from-http');
    });

    it('keeps a connection state like a RESP client: MULTI/EXEC across requests of one connection', async () => {
      const client = await http();
      expect(JSON.parse((await exchange(client, get('/MULTI'))).text)).toEqual({ MULTI: [true, 'OK'] });
      expect(JSON.parse((await exchange(client, get('/INCR/t'))).text)).toEqual({ INCR: [true, 'QUEUED'] });
      expect(JSON.parse((await exchange(client, get('/INCR/t'))).text)).toEqual({ INCR: [true, 'QUEUED'] });
      expect(JSON.parse((await exchange(client, get('/EXEC'))).text)).toEqual({ EXEC: [1, 2] });
    });

    it('refuses commands that stream or block, and goes on serving', async () => {
      const client = await http();
      for (const path of ['/SUBSCRIBE/ch', '/PSUBSCRIBE/c*', '/MONITOR', '/BLPOP/list/0']) {
        const r = await exchange(client, get(path));
        expect(r.status).toBe(403);
        expect(r.text).toMatch(/an HTTP response cannot carry: use a RESP connection/);
      }
      expect(JSON.parse((await exchange(client, get('/PUBLISH/ch/hi'))).text)).toEqual({ PUBLISH: 0 });
    });
  });

  describe('HTTP/1.1', () => {
    beforeEach(() => start({ httpLimits: { maxHeaderBytes: 4096, maxBodyBytes: 1024, idleTimeoutMs: 300 } }));

    it('answers pipelined requests in order on one keep-alive connection', async () => {
      const client = await http();
      const requests = Array.from({ length: 50 }, () => get('/INCR/pipelined')).join('');
      await client.send(requests);
      for (let i = 1; i <= 50; i++) {
        const r = await readResponse(client);
        expect(r.headers.connection).toBe('Keep-Alive');
        expect(JSON.parse(r.text)).toEqual({ INCR: i });
      }
      // Sent byte by byte, a request is still one request.
      for (const byte of get('/GET/pipelined')) await client.send(byte);
      expect(JSON.parse((await readResponse(client)).text)).toEqual({ GET: '50' });
    });

    it('closes after Connection: close and after an HTTP/1.0 request without keep-alive', async () => {
      let client = await http();
      await client.send(get('/PING', ['Connection: close']));
      let r = parseResponse(await client.readToEnd());
      expect([r.status, r.headers.connection]).toEqual([200, 'close']);
      client = await http();
      await client.send('GET /PING HTTP/1.0\r\n\r\n');
      r = parseResponse(await client.readToEnd());
      expect(r.headers.connection).toBe('close');
      client = await http();
      r = await exchange(client, 'GET /PING HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      expect(r.headers.connection).toBe('Keep-Alive');
      expect((await exchange(client, get('/PING'))).status).toBe(200);
    });

    it('closes a keep-alive connection that stays idle past the idle timeout', async () => {
      const client = await http();
      expect((await exchange(client, get('/PING'))).status).toBe(200);
      expect((await client.closed).error).toBeNull(); // a clean close (FIN), not a reset
    });

    it('answers 100 Continue to Expect: 100-continue before the body comes', async () => {
      const client = await http();
      await client.send(
        'PUT /SET/big HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n',
      );
      expect(await client.readLine()).toBe('HTTP/1.1 100 Continue\r\n');
      expect(await client.readLine()).toBe('\r\n');
      await client.send('hello');
      expect(JSON.parse((await readResponse(client)).text)).toEqual({ SET: [true, 'OK'] });
    });

    it.each([
      ['a malformed request line', 'GARBAGE\r\n\r\n', 400],
      ['an unsupported HTTP version', 'GET /PING HTTP/2.0\r\n\r\n', 505],
      ['a malformed header', 'GET /PING HTTP/1.1\r\nno colon here\r\n\r\n', 400],
      ['a chunked body', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nPING\r\n', 501],
      ['conflicting lengths', 'POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nPING', 400],
      ['a URL over the limit', `GET /GET/${'x'.repeat(5000)} HTTP/1.1\r\n\r\n`, 414],
      ['headers over the limit', `GET /PING HTTP/1.1\r\n${'X-Pad: y\r\n'.repeat(600)}\r\n`, 431],
      ['a body over the limit', 'PUT /SET/k HTTP/1.1\r\nContent-Length: 2000\r\n\r\n', 413],
    ])('answers %s with a 4xx/5xx and a reason, then closes', async (_name, request, status) => {
      const client = await http();
      await client.send(request);
      const r = parseResponse(await client.readToEnd());
      expect(r.status).toBe(status);
      expect(r.headers.connection).toBe('close');
      expect(r.text.length).toBeGreaterThan(1);
      expect((await fetchOnce(get('/PING'))).status).toBe(200); // the server is fine
    });

    it('answers other mistakes with 4xx and keeps the connection', async () => {
      const client = await http();
      let r = await exchange(client, 'DELETE /GET/k HTTP/1.1\r\n\r\n');
      expect([r.status, r.headers.allow]).toEqual([405, 'GET, POST, PUT, OPTIONS']);
      r = await exchange(client, get('/'));
      expect([r.status, r.text]).toEqual([
        400,
        'no command: use /COMMAND/arg1/arg2 (for example /GET/key)\n',
      ]);
      r = await exchange(client, 'OPTIONS /GET/k HTTP/1.1\r\n\r\n');
      expect([r.status, r.headers['access-control-allow-origin']]).toEqual([200, '*']);
      r = await exchange(client, get('/PING'));
      expect(r.status).toBe(200);
    });

    it('survives clients that vanish mid-pipeline and never mixes up replies', async () => {
      for (let i = 0; i < 20; i++) {
        const quitter = await http();
        await quitter.send(Array.from({ length: 200 }, () => get('/INCR/vanish')).join(''));
        quitter.destroy();
      }
      const client = await http();
      await json('/SET/mine/1');
      for (let i = 0; i < 20; i++)
        expect(JSON.parse((await exchange(client, get('/GET/mine'))).text)).toEqual({ GET: '1' });
    });
  });

  describe('requirepass', () => {
    beforeEach(() => start({ requirepass: 's3cret' }));
    const basic = (user: string, password: string): string =>
      `Authorization: Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

    it('asks for the password, and takes it as Basic (user default or empty) or Bearer', async () => {
      let r = await fetchOnce(get('/GET/k'));
      expect([r.status, r.headers['www-authenticate']]).toEqual([
        401,
        'Basic realm="redis-lite", charset="UTF-8"',
      ]);
      r = await fetchOnce(get('/GET/k', [basic('default', 'wrong')]));
      expect([r.status, r.text]).toEqual([401, 'invalid password\n']);
      r = await fetchOnce(get('/GET/k', [basic('alice', 's3cret')]));
      expect(r.status).toBe(401);
      for (const header of [
        basic('default', 's3cret'),
        basic('', 's3cret'),
        'Authorization: Bearer s3cret',
      ]) {
        r = await fetchOnce(get('/SET/k/v', [header]));
        expect(JSON.parse(r.text)).toEqual({ SET: [true, 'OK'] });
      }
      r = await fetchOnce(get('/metrics'));
      expect(r.status).toBe(401);
      r = await fetchOnce(get('/healthz'));
      expect([r.status, r.text]).toEqual([200, 'OK\n']);
    });
  });

  describe('ACL users', () => {
    beforeEach(() => start({ users: ['reader on >rpw ~pub:* +@read'] }));
    const basic = (user: string, password: string): string =>
      `Authorization: Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

    it("authenticates a request as the ACL user of its Basic credentials, refused as that user's RESP client is", async () => {
      let r = await fetchOnce(get('/SET/pub:1/v'));
      expect(JSON.parse(r.text)).toEqual({ SET: [true, 'OK'] }); // no credentials: the default user (nopass)
      r = await fetchOnce(get('/GET/pub:1', [basic('reader', 'rpw')]));
      expect(JSON.parse(r.text)).toEqual({ GET: 'v' });
      r = await fetchOnce(get('/GET/secret', [basic('reader', 'rpw')]));
      expect(JSON.parse(r.text)).toEqual({
        GET: [false, 'NOPERM this user has no permissions to access one of the keys used as arguments'],
      });
      r = await fetchOnce(get('/SET/pub:1/w', [basic('reader', 'rpw')]));
      expect(JSON.parse(r.text)).toEqual({
        SET: [false, "NOPERM this user has no permissions to run the 'set' command"],
      });
      r = await fetchOnce(get('/GET/pub:1', [basic('reader', 'wrong')]));
      expect(r.status).toBe(401);
      // One keep-alive connection: each request is its own credentials' user.
      const client = await http();
      expect(JSON.parse((await exchange(client, get('/ACL/WHOAMI', [basic('reader', 'rpw')]))).text)).toEqual(
        {
          ACL: [false, "NOPERM this user has no permissions to run the 'acl|whoami' command"],
        },
      );
      expect(JSON.parse((await exchange(client, get('/ACL/WHOAMI'))).text)).toEqual({ ACL: 'default' });
    });
  });

  describe('/metrics', () => {
    beforeEach(() => start());

    it("exposes INFO's figures and the HTTP latency histogram in Prometheus's text format", async () => {
      await json('/SET/a/1');
      await json('/SET/b/2');
      await json('/EXPIRE/b/100');
      await json('/GET/a');
      await json('/INCR/b/x');
      const r = await fetchOnce(get('/metrics'));
      expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      const samples = new Map(
        r.text
          .split('\n')
          .filter((line) => line !== '' && !line.startsWith('#'))
          .map((line) => [
            line.slice(0, line.lastIndexOf(' ')),
            Number(line.slice(line.lastIndexOf(' ') + 1)),
          ]),
      );
      expect(samples.get('redis_lite_command_calls_total{cmd="set"}')).toBe(2);
      expect(samples.get('redis_lite_command_calls_total{cmd="get"}')).toBe(1);
      expect(samples.get('redis_lite_command_rejected_calls_total{cmd="incr"}')).toBe(1);
      expect(samples.get('redis_lite_errors_total{error="ERR"}')).toBe(1);
      expect(samples.get('redis_lite_keys{db="0"}')).toBe(2);
      expect(samples.get('redis_lite_expiring_keys{db="0"}')).toBe(1);
      expect(samples.get('redis_lite_connected_clients')).toBe(0);
      expect(samples.get('redis_lite_commands_processed_total')).toBe(4);
      expect(samples.get('redis_lite_http_responses_total{code="200"}')).toBe(5);
      expect(samples.get('redis_lite_http_request_duration_seconds_count')).toBe(5);
      expect(samples.get('redis_lite_http_request_duration_seconds_bucket{le="+Inf"}')).toBe(5);
      expect(samples.get('redis_lite_used_memory_bytes')).toBeGreaterThan(0);
      expect(
        samples.get(
          `redis_lite_info{version="${packageVersion()}",redis_version="7.0.0",transport="${transport}"}`,
        ),
      ).toBe(1);
      expect(r.text).toMatch(/^# TYPE redis_lite_http_request_duration_seconds histogram$/m);
      if (transport === 'pool') expect(samples.get('redis_lite_busy_workers')).toBe(0);
    });
  });
});
