// Pub/Sub on real sockets, on every transport, with the real clients: ioredis, node-redis's default client (RESP3)
// and redis-cli. The cross-thread guarantees are what matters here: on the pool every connection is served by its
// own worker (blocked in epoll_wait once subscribed), on the hybrid connections are spread over the loops, so a
// publisher and its subscribers sit on different threads and PUBLISH counts and reaches them all within
// milliseconds; a subscriber that stops reading is cut at the pub/sub output limit while the publisher goes on.

import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onPath } from '../support/live-tools.js';
import { resp } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

/** Subscribers on as many threads as the transport has: the pool serves each on a worker, the hybrid spreads them. */
const SUBSCRIBERS = 4;
const PUBSUB_LIMIT = 2 * 1024 * 1024;

/** Resolves once `condition` holds (checked every few ms, awaited if it is async); fails after `timeoutMs`. */
async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(condition)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(transports)('%s transport: Pub/Sub', (transport) => {
  let server: TestServer;
  const open: Redis[] = [];
  const children: ChildProcess[] = [];

  /** An ioredis client, quit after the test; `reconnect` false: one that stays closed once the server closes it. */
  async function ioredis(reconnect = true): Promise<Redis> {
    const client = new Redis({
      host: server.host,
      port: server.port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      ...(reconnect ? {} : { retryStrategy: () => null }),
    });
    await client.connect();
    open.push(client);
    return client;
  }

  beforeAll(async () => {
    server = await startTestServer(transport, {
      // The pool pins a worker per connection; the hybrid gets two loops, so connections land on both.
      workers: transport === 'hybrid' ? 2 : SUBSCRIBERS + 6,
      config: { 'client-output-buffer-limit-pubsub-bytes': String(PUBSUB_LIMIT) },
    });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill();
    await Promise.all(open.splice(0).map((c) => c.quit().catch(() => undefined)));
  });
  afterAll(async () => {
    await server.close();
  });

  it('delivers to ioredis subscribers on every thread within milliseconds, and counts them all', async () => {
    const subscribers = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => ioredis()));
    const received: { text: string; at: number }[][] = subscribers.map(() => []);
    for (const [i, sub] of subscribers.entries()) {
      sub.on('message', (channel: string, message: string) =>
        received[i].push({ text: `${channel}:${message}`, at: performance.now() }),
      );
      sub.on('pmessage', (pattern: string, channel: string, message: string) =>
        received[i].push({ text: `${pattern}|${channel}:${message}`, at: performance.now() }),
      );
      expect(await sub.subscribe('news')).toBe(1);
      expect(await sub.psubscribe('n*')).toBe(2);
    }
    const publisher = await ioredis();
    expect(await publisher.pubsub('NUMSUB', 'news')).toEqual(['news', SUBSCRIBERS]);
    expect(await publisher.pubsub('NUMPAT')).toBe(1);
    const sentAt: number[] = [];
    for (let n = 0; n < 20; n++) {
      sentAt.push(performance.now());
      // Each subscriber receives it twice: as a subscriber of the channel and of the pattern.
      expect(await publisher.publish('news', `m${n}`)).toBe(2 * SUBSCRIBERS);
    }
    await waitFor(() => received.every((r) => r.length === 40), 5000);
    for (const messages of received) {
      expect(messages.filter((m) => !m.text.includes('|')).map((m) => m.text)).toEqual(
        sentAt.map((_, n) => `news:m${n}`),
      );
      expect(messages.filter((m) => m.text.includes('|')).map((m) => m.text)).toEqual(
        sentAt.map((_, n) => `n*|news:m${n}`),
      );
    }
    // Publish to delivery: milliseconds, whichever thread serves the subscriber (generous for a loaded machine).
    const latencies = received.flatMap((messages) =>
      messages.map((m) => m.at - sentAt[Number(/m(\d+)$/.exec(m.text)![1])]),
    );
    expect(Math.max(...latencies)).toBeLessThan(250);
    expect(await publisher.publish('quiet', 'x')).toBe(0);
  });

  it('forgets a subscriber that leaves, whichever thread it was on', async () => {
    const [sub, other] = [await ioredis(), await ioredis()];
    await sub.subscribe('gone');
    expect(await other.pubsub('NUMSUB', 'gone')).toEqual(['gone', 1]);
    sub.disconnect();
    await waitFor(async () => ((await other.pubsub('NUMSUB', 'gone')) as unknown[])[1] === 0, 5000);
    expect(await other.publish('gone', 'x')).toBe(0);
    expect(await other.pubsub('CHANNELS')).toEqual([]);
  });

  it('lists a subscriber on another thread as type pubsub, and CLIENT KILL closes it there', async () => {
    const [sub, other] = [await ioredis(false), await ioredis()];
    const subId = Number(await sub.client('ID'));
    await sub.subscribe('watched', 'more');
    await sub.psubscribe('w*');
    const id = await other.client('ID');
    const list = async (type: string): Promise<string> =>
      String(await other.call('CLIENT', 'LIST', 'TYPE', type));
    // Clients of earlier tests may still be leaving: this one is found by its id.
    const line = (await list('pubsub')).split('\n').find((l) => l.startsWith(`id=${subId} `));
    expect(line).toMatch(/ flags=P db=0 sub=2 psub=1 ssub=0 /);
    expect(await list('normal')).toContain(`id=${id} `);
    expect(await list('normal')).not.toContain(`id=${subId} `);
    const closed = new Promise<void>((resolve) => sub.once('end', () => resolve()));
    expect(await other.client('KILL', 'ID', String(subId))).toBe(1);
    await closed;
    await waitFor(async () => (await other.publish('watched', 'x')) === 0, 5000);
    expect(await other.pubsub('NUMPAT')).toBe(0);
  });

  it("works with node-redis's default client (RESP3): pushes, and commands while subscribed", async () => {
    const options = { socket: { host: server.host, port: server.port, reconnectStrategy: false as const } };
    const sub = createClient(options);
    const pub = createClient(options);
    await Promise.all([sub.connect(), pub.connect()]);
    try {
      const messages: string[] = [];
      await sub.subscribe('orders', (message, channel) => messages.push(`${channel}:${message}`));
      await sub.pSubscribe('ord*', (message, channel) => messages.push(`p ${channel}:${message}`));
      expect(await pub.publish('orders', 'first')).toBe(2);
      await waitFor(() => messages.length === 2, 5000);
      expect(messages.sort()).toEqual(['orders:first', 'p orders:first']);
      // RESP3 has no subscribed-state restriction: a plain command on the subscribed connection is answered.
      expect(await sub.sendCommand(['ECHO', 'still here'])).toBe('still here');
      await sub.unsubscribe('orders');
      await sub.pUnsubscribe('ord*');
      expect(await pub.publish('orders', 'second')).toBe(0);
    } finally {
      await Promise.all([sub.quit(), pub.quit()]);
    }
  });

  it.skipIf(!onPath('redis-cli'))('streams messages to redis-cli subscribe', async () => {
    const cli = spawn('redis-cli', ['-h', server.host, '-p', String(server.port), 'subscribe', 'alerts']);
    children.push(cli);
    let out = '';
    cli.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => out.includes('alerts'), 5000);
    const publisher = await ioredis();
    await waitFor(async () => (await publisher.publish('alerts', 'disk full')) === 1, 5000);
    await waitFor(() => out.includes('disk full'), 5000);
    expect(out).toBe('subscribe\nalerts\n1\nmessage\nalerts\ndisk full\n');
  });

  it("publishes keyspace events to subscribers on other threads, the active expiry cycle's too", async () => {
    const [sub, writer] = [await ioredis(), await ioredis()];
    const events: string[] = [];
    sub.on('pmessage', (_pattern: string, channel: string, message: string) =>
      events.push(`${channel} ${message}`),
    );
    await sub.psubscribe('__key*@0__:*');
    await writer.config('SET', 'notify-keyspace-events', 'KEA');
    try {
      await writer.set('soon', 'v', 'PX', 600_000); // deleted long before it expires, however slow the machine
      await writer.del('soon', 'never');
      await writer.set('soon', 'v', 'PX', 30); // removed by the active cycle: the main thread, on the pool
      await waitFor(() => events.includes('__keyevent@0__:expired soon'), 5000);
      expect(events).toEqual([
        '__keyspace@0__:soon set',
        '__keyevent@0__:set soon',
        '__keyspace@0__:soon expire',
        '__keyevent@0__:expire soon',
        '__keyspace@0__:soon del',
        '__keyevent@0__:del soon',
        '__keyspace@0__:soon set',
        '__keyevent@0__:set soon',
        '__keyspace@0__:soon expire',
        '__keyevent@0__:expire soon',
        '__keyspace@0__:soon expired',
        '__keyevent@0__:expired soon',
      ]);
    } finally {
      await writer.config('SET', 'notify-keyspace-events', '');
    }
  });

  it('answers the subscribed-state protocol byte for byte on a raw socket (RESP2)', async () => {
    const c = await server.connect();
    const subscribed = '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n';
    expect(await c.request(resp('SUBSCRIBE', 'a', 'b'), subscribed.length)).toBe(subscribed);
    const refusal =
      "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in " +
      'this context\r\n';
    expect(await c.request(resp('GET', 'a'), refusal.length)).toBe(refusal);
    expect(await c.request(resp('PING'), 20)).toBe('*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    expect(await c.request(resp('RESET'), 8)).toBe('+RESET\r\n');
    expect(await c.request(resp('GET', 'a'), 5)).toBe('$-1\r\n');
    c.destroy();
  });

  it('cuts a subscriber that stops reading at the pub/sub output limit; the publisher never waits', async () => {
    const slow = await server.connect();
    await slow.request(
      resp('SUBSCRIBE', 'firehose'),
      '*3\r\n$9\r\nsubscribe\r\n$8\r\nfirehose\r\n:1\r\n'.length,
    );
    slow.pause(); // reads nothing more: its messages pile up in the kernel, then in the server
    // Another subscriber, on its own channel, reads along and loses nothing meanwhile.
    const fast = await ioredis();
    let ticks = 0;
    fast.on('message', () => ticks++);
    await fast.subscribe('ticks');
    const publisher = await ioredis();
    const payload = 'x'.repeat(64 * 1024);
    const firehose: number[] = [];
    const started = performance.now();
    // 24 MB: several times the limit, plus what the kernel's socket buffers absorb.
    for (let n = 0; n < 384; n++) {
      firehose.push(await publisher.publish('firehose', payload));
      expect(await publisher.publish('ticks', String(n))).toBe(1);
    }
    const elapsed = performance.now() - started;
    expect(firehose[0]).toBe(1);
    expect(firehose[firehose.length - 1]).toBe(0); // cut: no longer a subscriber
    expect(await publisher.pubsub('NUMSUB', 'firehose')).toEqual(['firehose', 0]);
    slow.resume(); // and it sees the server closed it
    await slow.closed;
    await waitFor(() => ticks === 384, 10_000);
    expect(server.logs.matching('client output buffer limit reached').length).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(20_000);
  });
});
