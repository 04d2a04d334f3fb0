// The event loop writes replies with one synchronous write(2) when it can (src/transport/eventloop/
// write-now.ts): that it does so on a real socket, that it never overtakes bytes queued in the socket's
// stream, that it refuses a destroyed socket (its descriptor number may be another client's by now), and that a
// failed write reports the errno code instead of throwing. Large replies to a client that is slow to read
// must still arrive whole and in order, through the stream, after the writer's buffer has been reused.

import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { nativeSocketSend } from '../../src/transport/eventloop/socket-send.js';
import { writeNow } from '../../src/transport/eventloop/write-now.js';
import { useTestServer } from '../support/server.js';
import { connectedPair } from '../support/socket-pair.js';

function receiveBytes(socket: net.Socket, count: number): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString('latin1');
      if (got.length >= count) resolve(got);
    });
  });
}

// The native helper is built wherever the tests run (.ci/run installs a C toolchain): both paths are tested.
const nativeSend = nativeSocketSend();

describe('writeNow', () => {
  it("finds the native helper's send", () => {
    expect(nativeSend).not.toBeNull();
  });

  describe.each([
    ['fs.writeSync', null],
    ['the native send', nativeSend],
  ])('through %s', (_, send) => {
    it('writes at once on a socket with nothing queued, and never overtakes queued bytes', async () => {
      const { server, accepted, client } = await connectedPair();
      const received = receiveBytes(client, 6);
      expect(writeNow(accepted, Buffer.from('ab'), send)).toBe(2);
      accepted.cork();
      accepted.write('cd');
      // 'cd' waits in the stream: writing now would put 'ef' before it.
      expect(writeNow(accepted, Buffer.from('ef'), send)).toBe(0);
      accepted.write('ef');
      accepted.uncork();
      expect(await received).toBe('abcdef');
      accepted.destroy();
      // Destroyed: its descriptor is closed, and the number may already belong to another socket.
      expect(writeNow(accepted, Buffer.from('x'), send)).toBe(0);
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('takes what the kernel takes and reports a full socket as 0, not as a failure', async () => {
      const { server, accepted, client } = await connectedPair();
      client.pause(); // nothing is read: the socket buffers fill up
      const chunk = Buffer.alloc(1 << 20, 'z');
      let total = 0;
      let written: ReturnType<typeof writeNow>;
      do {
        written = writeNow(accepted, chunk, send);
        if (typeof written === 'number') total += written;
      } while (typeof written === 'number' && written > 0 && total < 256 << 20);
      expect(written).toBe(0);
      expect(total).toBeGreaterThan(0);
      accepted.destroy();
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
  });

  it('reports a failed write by its errno code', () => {
    const fd = openSync('/dev/full', 'w'); // every write fails with ENOSPC
    try {
      const socket = {
        destroyed: false,
        writable: true,
        writableLength: 0,
        writableCorked: 0,
        _handle: { fd },
      };
      expect(writeNow(socket as unknown as net.Socket, Buffer.from('x'))).toEqual({ code: 'ENOSPC' });
      // Corked (replies waiting for the append-only file's write-out): nothing is written past the stream.
      const corked = { ...socket, writableCorked: 1 };
      expect(writeNow(corked as unknown as net.Socket, Buffer.from('x'))).toBe(0);
      // The native send is send(2), which a file refuses: its errno named as Node names it.
      expect(writeNow(socket as unknown as net.Socket, Buffer.from('x'), nativeSend)).toEqual({
        code: 'ENOTSOCK',
      });
    } finally {
      closeSync(fd);
    }
  });

  describe('on the event-loop server', () => {
    const current = useTestServer('eventloop');

    it('delivers large replies whole and in order to a client that reads them late', async () => {
      const client = await current().connect();
      const size = 20_000; // a few replies per read stay under ByteWriter's hand-over size: lent, not given
      const values = Array.from({ length: 6 }, (_, i) => String.fromCharCode(0x61 + i).repeat(size));
      for (let i = 0; i < values.length; i++) {
        await client.request(`*3\r\n$3\r\nSET\r\n$1\r\n${i}\r\n$${size}\r\n${values[i]}\r\n`, '+OK\r\n');
      }
      // 400 GETs (8 MB of replies) while the client reads nothing: far more than the kernel buffers hold, so
      // replies wait in the stream while later ones are encoded into the same writer buffer. One request per
      // loop turn, so the server reads them one at a time (a big batch would be handed over, not lent).
      client.pause();
      let expected = '';
      for (let r = 0; r < 400; r++) {
        const i = r % values.length;
        await client.send(`*2\r\n$3\r\nGET\r\n$1\r\n${i}\r\n`);
        await new Promise((resolve) => setImmediate(resolve));
        expected += `$${size}\r\n${values[i]}\r\n`;
      }
      client.resume();
      expect(await client.readText(expected)).toBe(expected);
    });
  });
});
