// A session hands each large query buffer it lets go of to its core's releaseBuffer (a pool worker frees it at
// once: an idle worker thread never collects garbage): the smaller buffer a growing request leaves behind, the
// big buffer once its request is served (whole, or with a short tail of the next request kept in a small one),
// and whatever it holds at end(). Small buffers and the transport's own read buffer are never handed over.

import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/parser.js';
import { ByteWriter } from '../../src/core/reply-encoding.js';
import { QUERY_BUFFER_SHRINK_BYTES, Session } from '../../src/core/session.js';
import { createTestContext } from '../support/context.js';

function open(): { session: Session; released: Buffer[] } {
  const ctx = createTestContext();
  const released: Buffer[] = [];
  const session = new Session(
    {
      store: ctx.store,
      server: ctx.server,
      limits: DEFAULT_LIMITS,
      writer: new ByteWriter(),
      releaseBuffer: (buffer) => released.push(buffer),
    },
    { id: 1, addr: '127.0.0.1:1', laddr: '127.0.0.1:6379' },
  );
  return { session, released };
}

/** A SET whose value is `size` bytes, as RESP. */
function bigSet(size: number): Buffer {
  return Buffer.concat([
    Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${size}\r\n`),
    Buffer.alloc(size, 0x76),
    Buffer.from('\r\n'),
  ]);
}

/** Feeds `bytes` in 16 KiB reads, as a transport would; returns the replies. */
function feed(session: Session, bytes: Buffer): string {
  let out = '';
  for (let at = 0; at < bytes.length; at += 16 * 1024) {
    const reply = session.receive(bytes.subarray(at, Math.min(bytes.length, at + 16 * 1024)));
    out += reply.bytes?.toString('latin1') ?? '';
  }
  return out;
}

describe('Session query buffers', () => {
  it('hands over every outgrown big buffer and the big one once its request is served', () => {
    const { session, released } = open();
    expect(feed(session, bigSet(1024 * 1024))).toBe('+OK\r\n');
    expect(released.length).toBeGreaterThan(0);
    expect(released.every((b) => b.length >= QUERY_BUFFER_SHRINK_BYTES)).toBe(true);
    // Nothing pending any more: the session holds no big buffer, and is still usable.
    expect(session.queryBufferLength).toBe(0);
    expect(feed(session, Buffer.from('*1\r\n$4\r\nPING\r\n'))).toBe('+PONG\r\n');
  });

  it('keeps a short tail of the next request in a small buffer and hands over the big one', () => {
    const { session, released } = open();
    const input = Buffer.concat([bigSet(512 * 1024), Buffer.from('*1\r\n$4\r\nPI')]);
    expect(feed(session, input)).toBe('+OK\r\n');
    const big = released.at(-1);
    expect(big?.length).toBeGreaterThanOrEqual(512 * 1024);
    expect(session.queryBufferLength).toBe(10);
    expect(feed(session, Buffer.from('NG\r\n'))).toBe('+PONG\r\n');
  });

  it('keeps its buffer while pipelined requests stream in, each read ending inside a request', () => {
    const { session, released } = open();
    const set = bigSet(1000);
    const stream = Buffer.concat(Array.from({ length: 2600 }, () => set)); // 40 reads of 64 KiB
    let replies = 0;
    for (let at = 0; at < stream.length; at += 64 * 1024) {
      const reply = session.receive(stream.subarray(at, Math.min(stream.length, at + 64 * 1024)));
      replies += (reply.bytes?.toString('latin1').match(/\+OK/g) ?? []).length;
    }
    expect(replies).toBe(2600);
    // One buffer grown for the stream, handed over once it is no longer needed: not one per read.
    expect(released.length).toBeLessThanOrEqual(1);
  });

  it('hands over an unfinished big request at end(), and never a small buffer', () => {
    const { session, released } = open();
    const partial = bigSet(300 * 1024).subarray(0, 200 * 1024);
    expect(feed(session, partial)).toBe('');
    const before = released.length;
    session.end();
    expect(released.length).toBe(before + 1);
    expect(released.at(-1)!.length).toBeGreaterThanOrEqual(200 * 1024);

    const small = open();
    expect(feed(small.session, Buffer.from('*2\r\n$4\r\nECHO\r\n$5\r\nhel'))).toBe('');
    small.session.end();
    expect(small.released).toEqual([]);
  });
});
