// Regressions found by the per-family random differentials against redis-server 7.0.15
// (differential-strings, -keyspace, -collections), pinned with the exact bytes redis-server sent, so each
// fails until fixed and stays fixed. Each case names the request that showed it. No redis-server needed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveClient } from '../support/live-harness.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

describe.each(transports)('%s transport: regressions found by the family differentials', (transport) => {
  let server: TestServer;
  let c: LiveClient;
  beforeAll(async () => {
    server = await startTestServer(transport, { workers: 2 });
    c = new LiveClient(await server.connect());
  });
  afterAll(async () => {
    await server.close();
  });
  const call = async (...argv: string[]): Promise<string> => (await c.call(argv)).toString('latin1');

  // ZADD z 1 a 2 b 3 c 4 d; ZRANDMEMBER z 4 -> Redis d c b a, redis-lite a b c d. A count at least the set's size
  // returns the whole set as zuiNext walks it (t_zset.c zrandmemberWithCountCommand, CASE 2), and zuiNext starts
  // a sorted set at its tail, listpack and skip list alike: highest score first.
  it('ZRANDMEMBER with a count past the size returns the whole set from the highest score down', async () => {
    await call('DEL', 'zr', 'zbig');
    expect(await call('ZADD', 'zr', '1', 'a', '2', 'b', '3', 'c', '4', 'd')).toBe(':4\r\n');
    expect(await call('ZRANDMEMBER', 'zr', '4')).toBe('*4\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n');
    expect(await call('ZRANDMEMBER', 'zr', '10', 'WITHSCORES')).toBe(
      '*8\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n',
    );
    const members = Array.from({ length: 130 }, (_, i) => [String(i), `m${i}`]).flat();
    expect(await call('ZADD', 'zbig', ...members)).toBe(':130\r\n');
    expect(await call('OBJECT', 'ENCODING', 'zbig')).toBe('$8\r\nskiplist\r\n');
    const whole = await call('ZRANDMEMBER', 'zbig', '200');
    expect(whole.startsWith('*130\r\n$4\r\nm129\r\n$4\r\nm128\r\n')).toBe(true);
    expect(whole.endsWith('$2\r\nm1\r\n$2\r\nm0\r\n')).toBe(true);
  });
});
