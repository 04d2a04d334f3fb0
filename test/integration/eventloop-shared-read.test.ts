// The event loop reads every socket into one shared buffer (src/transport/eventloop/fast-read.ts): that
// this Node still offers the internals it relies on, that pause/'end' keep working in that mode, and that a
// request split across reads survives other clients' reads overwriting the shared buffer in between.

import { describe, expect, it } from 'vitest';
import { readIntoSharedBuffer } from '../../src/transport/eventloop/fast-read.js';
import { useTestServer } from '../support/server.js';
import { connectedPair } from '../support/socket-pair.js';

describe('shared read buffer', () => {
  it('switches an accepted socket to reading into the given buffer, with end still reported', async () => {
    const { server, accepted, client } = await connectedPair();
    const shared = Buffer.alloc(16);
    const seen: string[] = [];
    let gotData = false;
    accepted.on('data', () => (gotData = true));
    const ended = new Promise<void>((resolve) => accepted.once('end', () => resolve()));
    const ok = readIntoSharedBuffer(accepted, shared, function (length, buffer) {
      expect(this).toBe(accepted);
      expect(buffer).toBe(shared);
      seen.push(buffer.toString('latin1', 0, length));
    });
    expect(ok).toBe(true);
    // A second switch is refused: the socket already reads into a buffer.
    expect(readIntoSharedBuffer(accepted, shared, () => {})).toBe(false);
    client.end('hello');
    await ended;
    expect(seen.join('')).toBe('hello');
    expect(gotData).toBe(false);
    accepted.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  describe('on the event-loop server', () => {
    const current = useTestServer('eventloop');

    it('keeps a half-received request while other clients are read into the same buffer', async () => {
      const a = await current().connect();
      const b = await current().connect();
      await a.send('*3\r\n$3\r\nSET\r\n$1\r\na\r\n$5\r\nhel');
      expect(await b.request('*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nXXXXX\r\n', '+OK\r\n')).toBe('+OK\r\n');
      const expected = '+OK\r\n$5\r\nhello\r\n';
      expect(await a.request('lo\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n', expected)).toBe(expected);
      expect(await b.request('*2\r\n$3\r\nGET\r\n$1\r\nb\r\n', '$5\r\nXXXXX\r\n')).toBe('$5\r\nXXXXX\r\n');
    });
  });
});
