// The event loop's store is touched by its one thread alone, so its commands take no segment locks (server.ts,
// createSharedState). Shown by marking every segment write-locked, as another thread holding them would: a
// command that took its lock would wait; the event loop's answers at once. The store is also marked abandoned,
// so that, were locks taken, the wait would give up after a second with an error reply (rwlock.ts) instead of
// hanging this test's thread, which is the server's.

import { afterEach, describe, expect, it } from 'vitest';
import {
  HEADER_INTS,
  H_LOCKS_ABANDONED,
  H_SEGMENTS,
  S_LOCK,
  SEGMENT_INTS,
} from '../../src/core/store/layout.js';
import { markLocksAbandoned } from '../../src/core/store/lock-abandonment.js';
import type { SharedStore } from '../../src/core/store/store.js';
import { resp } from '../support/raw-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('event loop: the store without segment locks', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('serves writes and reads while every segment lock word reads as held', async () => {
    server = await startTestServer('eventloop');
    const control = new Int32Array((server.server.store as SharedStore).handles().control);
    const lockWords = Array.from(
      { length: control[H_SEGMENTS] },
      (_, s) => HEADER_INTS + s * SEGMENT_INTS + S_LOCK,
    );
    const client = await server.connect();
    markLocksAbandoned(control);
    for (const at of lockWords) Atomics.store(control, at, -1);
    try {
      expect(await client.request(resp('SET', 'user:1', 'alice'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await client.request(resp('GET', 'user:1'), '$5\r\nalice\r\n')).toBe('$5\r\nalice\r\n');
      expect(await client.request(resp('MSET', 'a', '1', 'b', '2'), '+OK\r\n')).toBe('+OK\r\n');
      expect(await client.request(resp('MGET', 'a', 'b'), '*2\r\n$1\r\n1\r\n$1\r\n2\r\n')).toBe(
        '*2\r\n$1\r\n1\r\n$1\r\n2\r\n',
      );
    } finally {
      for (const at of lockWords) Atomics.store(control, at, 0);
      Atomics.store(control, H_LOCKS_ABANDONED, 0);
    }
  });
});
