// Blocking pops as a job queue under concurrency, on every transport: consumers on several threads loop on
// BLPOP / BLMOVE / BZPOPMIN while producers on other threads push, and every element pushed is received exactly
// once (none lost to a client served twice or to a push that raced a client going to sleep, none duplicated).
// On the pool each connection is a worker thread of its own; the hybrid spreads them over its loops.

import { describe, expect, it } from 'vitest';
import { useIoredisServer } from '../support/ioredis-fixture.js';
import { transports } from '../support/server.js';

const PRODUCERS = 3;
const CONSUMERS = 5;
const PER_PRODUCER = 300;

describe.each(transports)('%s transport: blocking pops as a queue', (transport) => {
  const fixture = useIoredisServer(transport, transport === 'hybrid' ? 3 : PRODUCERS + CONSUMERS + 4);

  it('delivers every pushed element to exactly one blocked consumer', async () => {
    const total = PRODUCERS * PER_PRODUCER;
    const consumers = await Promise.all(Array.from({ length: CONSUMERS }, () => fixture.ioredis()));
    const producers = await Promise.all(Array.from({ length: PRODUCERS }, () => fixture.ioredis()));
    const received: string[] = [];
    let done = false;
    // Three kinds of consumer on one key space: BLPOP on the queue, BLMOVE into a per-consumer list (the moved
    // element read back from the reply), and BZPOPMIN on a sorted set fed alongside.
    const consume = async (index: number): Promise<void> => {
      const client = consumers[index];
      while (!done) {
        if (index % 3 === 0) {
          const reply = await client.blpop('q', 0.05);
          if (reply !== null) received.push(reply[1]);
        } else if (index % 3 === 1) {
          const moved = await client.blmove('q', `taken:${index}`, 'LEFT', 'RIGHT', 0.05);
          if (moved !== null) received.push(moved);
        } else {
          const popped = await client.bzpopmin('z', 0.05);
          if (popped !== null) received.push(popped[1]);
        }
      }
    };
    const produce = async (index: number): Promise<void> => {
      for (let n = 0; n < PER_PRODUCER; n++) {
        const item = `p${index}-${n}`;
        if (n % 4 === 3) await producers[index].zadd('z', n, item);
        else await producers[index].rpush('q', item);
      }
    };
    const consuming = consumers.map((_, i) => consume(i));
    await Promise.all(producers.map((_, i) => produce(i)));
    const deadline = Date.now() + 10_000;
    while (received.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    done = true;
    await Promise.all(consuming);
    expect(received.length).toBe(total);
    expect(new Set(received).size).toBe(total);
    const control = await fixture.ioredis();
    expect(await control.exists('q', 'z')).toBe(0);
  });
});
