// ACL SETUSER taking channels away from a user, on every transport (on the pool each connection is its own
// worker thread, on the hybrid connections are spread over its loops, so the subscriber is served by another
// thread than the connection that changes the user): the subscribers Redis 7.0 cuts (ACLKillPubsubClientsIfNeeded)
// are disconnected at once, without sending anything or being sent a message; those it keeps get the next
// message. Which count: channels, shard channels, patterns (kept only when a rule is the pattern itself), RESP3
// subscribers, and nothing when a selector allows every channel or the rules only grew. A cut subscriber is out
// of PUBLISH's count once the change has replied, as in Redis. Raw sockets, exact bytes; a cut is awaited as the
// socket's close.

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resp, type RawClient } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;

describe.each(transports)('%s transport: ACL SETUSER cuts the subscribers it must', (transport) => {
  let server: TestServer;
  let admin: RawClient;
  beforeAll(async () => {
    // Enough pool workers for every connection the tests leave open (each pins one there).
    server = await startTestServer(transport, { workers: 16, config: { 'enable-debug-command': 'yes' } });
    admin = await server.connect();
  });
  afterAll(async () => {
    await server.close();
  });

  const setuser = async (...rules: string[]) => {
    expect(await admin.request(resp('ACL', 'SETUSER', ...rules), '+OK\r\n')).toBe('+OK\r\n');
  };

  /** A connection of `user` (RESP2, or RESP3 through HELLO) that ran `command` on `names`, each confirmed. */
  const subscribed = async (user: string, protocol: 2 | 3, command: string, ...names: string[]) => {
    const client = await server.connect();
    if (protocol === 3) {
      // HELLO's map (its last field is "modules", empty) is not compared.
      const end = Buffer.from('$7\r\nmodules\r\n*0\r\n');
      await client.send(resp('HELLO', '3', 'AUTH', user, 'pw'));
      await client.readFramed((b) => (b.indexOf(end) < 0 ? -1 : b.indexOf(end) + end.length));
    } else {
      expect(await client.request(resp('AUTH', user, 'pw'), '+OK\r\n')).toBe('+OK\r\n');
    }
    await client.send(resp(command, ...names));
    const head = protocol === 3 ? '>3\r\n' : '*3\r\n';
    const kind = command.toLowerCase();
    for (let i = 0; i < names.length; i++) {
      const confirmation = `${head}${bulk(kind)}${bulk(names[i])}:${i + 1}\r\n`;
      expect(await client.readText(confirmation)).toBe(confirmation);
    }
    return client;
  };

  /** Publishes `message` on `channel` (as the default user, who may use every channel); its receivers. */
  const publish = async (channel: string, message: string): Promise<number> => {
    await admin.send(resp('PUBLISH', channel, message));
    return Number((await admin.readLine()).slice(1));
  };

  const message = (channel: string, text: string) => `*3\r\n${bulk('message')}${bulk(channel)}${bulk(text)}`;

  it('cuts a channel subscriber the user may no longer serve, at once, and keeps one it may', async () => {
    await setuser('u1', 'on', '>pw', '+@all', 'resetchannels', '&feed:*', '&other');
    const feed = await subscribed('u1', 2, 'SUBSCRIBE', 'feed:1');
    const other = await subscribed('u1', 2, 'SUBSCRIBE', 'other');
    await setuser('u1', '&more'); // the rules only grew: nobody is checked
    await setuser('u1', 'resetchannels', '&other');
    expect(await publish('feed:1', 'gone')).toBe(0);
    expect((await feed.closed).error).toBeNull();
    expect(await publish('other', 'still here')).toBe(1);
    expect(await other.readText(message('other', 'still here'))).toBe(message('other', 'still here'));
  });

  it('keeps a pattern only when a rule is that very pattern', async () => {
    await setuser('u2', 'on', '>pw', '+@all', 'resetchannels', '&news.*', '&n*');
    const exact = await subscribed('u2', 2, 'PSUBSCRIBE', 'news.*');
    const wider = await subscribed('u2', 2, 'PSUBSCRIBE', 'n*');
    const channel = await subscribed('u2', 2, 'SUBSCRIBE', 'news.1');
    await setuser('u2', 'resetchannels', '&news.*', '&n**');
    // Out of the count once the SETUSER has replied, as in Redis, whichever thread served it.
    expect(await publish('news.1', 'hi')).toBe(2);
    expect((await wider.closed).error).toBeNull();
    const pmessage = `*4\r\n${bulk('pmessage')}${bulk('news.*')}${bulk('news.1')}${bulk('hi')}`;
    expect(await exact.readText(pmessage)).toBe(pmessage);
    expect(await channel.readText(message('news.1', 'hi'))).toBe(message('news.1', 'hi'));
  });

  it('cuts RESP3 and shard channel subscribers too', async () => {
    await setuser('u3', 'on', '>pw', '+@all', 'resetchannels', '&a', '&b');
    const resp3 = await subscribed('u3', 3, 'SUBSCRIBE', 'a');
    const shard = await subscribed('u3', 2, 'SSUBSCRIBE', 'b');
    await setuser('u3', 'resetchannels');
    expect((await resp3.closed).error).toBeNull();
    expect((await shard.closed).error).toBeNull();
  });

  it('replies to the SETUSER only once a busy thread has cut its subscriber', async () => {
    await setuser('u6', 'on', '>pw', '+@all', 'resetchannels', '&w');
    const busy = await subscribed('u6', 3, 'SUBSCRIBE', 'w');
    // A RESP3 subscriber may run any command: its thread is held by it while the SETUSER runs on another.
    await busy.send(resp('DEBUG', 'SLEEP', '0.3'));
    await setuser('u6', 'resetchannels');
    expect(await publish('w', 'after')).toBe(0);
    expect((await busy.closed).error).toBeNull();
  });

  it("takes a deleted user's subscribers out of the count with the DELUSER's reply, before they hang up", async () => {
    await setuser('u5', 'on', '>pw', '+@all', 'allchannels');
    // A subscriber that keeps its side open after the server's FIN: the count must not wait for it to hang up.
    const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
    const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const confirmed = '+OK\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nz\r\n:1\r\n';
    const subscribedNow = new Promise<void>((resolve) =>
      socket.on('data', () => received === confirmed && resolve()),
    );
    socket.write(Buffer.concat([resp('AUTH', 'u5', 'pw'), resp('SUBSCRIBE', 'z')]));
    await subscribedNow;
    expect(await admin.request(resp('ACL', 'DELUSER', 'u5'), ':1\r\n')).toBe(':1\r\n');
    expect(await publish('z', 'gone')).toBe(0);
    await ended;
    socket.destroy();
  });

  it('cuts nobody while a selector allows every channel, and cuts once none does', async () => {
    await setuser('u4', 'on', '>pw', '+@all', 'allchannels');
    const listener = await subscribed('u4', 2, 'SUBSCRIBE', 'x');
    await setuser('u4', 'resetchannels', '(&* +get)');
    expect(await publish('x', 'kept')).toBe(1);
    expect(await listener.readText(message('x', 'kept'))).toBe(message('x', 'kept'));
    await setuser('u4', 'clearselectors', '&y');
    expect((await listener.closed).error).toBeNull();
  });
});
