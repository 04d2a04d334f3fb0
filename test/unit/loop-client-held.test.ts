// A hybrid loop's client holds its replies until the end of the loop's turn (nothing is written to the socket
// before releaseHeld), a close waits for them, and what the kernel does not take then is copied: the thread's
// writer lends replies only until the turn ends, when the loop starts it again.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/parser.js';
import { ByteWriter } from '../../src/core/reply-encoding.js';
import { Session } from '../../src/core/session.js';
import { LoopClient, type LoopHost } from '../../src/transport/hybrid/loop-client.js';
import { EAGAIN, type NativeReactor } from '../../src/transport/hybrid/native-reactor.js';
import { createTestContext } from '../support/context.js';
import { resp } from '../support/raw-client.js';

const OUT = 4;

/** A loop over a scripted descriptor: `input` is what reads return; writes take at most `takes` bytes each. */
function fakeLoop() {
  const events: string[] = [];
  const input: Buffer[] = [];
  const kernel = { takes: Infinity };
  const writer = new ByteWriter();
  writer.keepLentUntilRewind();
  const ctx = createTestContext();
  const native = {
    epoll: { IN: 1, OUT, ERR: 8, HUP: 16, RDHUP: 0x2000, CTL_ADD: 1, CTL_DEL: 2, CTL_MOD: 3 },
    readInto: (_fd: number, into: Buffer, offset: number) => {
      const next = input.shift();
      if (next === undefined) return -EAGAIN;
      next.copy(into, offset);
      return next.length;
    },
    writeFrom: (_fd: number, bytes: Uint8Array, offset: number, length: number) => {
      const n = Math.min(length, kernel.takes);
      if (n === 0) return -EAGAIN;
      kernel.takes -= n;
      events.push(`write ${Buffer.from(bytes.subarray(offset, offset + n)).toString('latin1')}`);
      return n;
    },
  } as unknown as NativeReactor;
  const held: LoopClient[] = [];
  const host: LoopHost = {
    native,
    readBuffer: Buffer.alloc(256),
    limits: { outputBufferLimit: 0, queryBufferLimit: 0, pubsubOutputBufferLimit: 0 },
    now: () => 0,
    watch: (_client, watched) => void events.push(watched === OUT ? 'watch out' : 'watch in'),
    newSession: (client) =>
      new Session(
        { store: ctx.store, server: ctx.server, limits: DEFAULT_LIMITS, writer },
        { id: client.id, addr: '127.0.0.1:50000', laddr: '127.0.0.1:6379' },
      ),
    release: () => events.push('release'),
    shutdownWrite: () => {
      events.push('shutdown');
      return true;
    },
    warn: () => undefined,
    pushed: () => undefined,
    insideScript: () => false,
    closeAfterScript: () => undefined,
    holding: (client) => {
      events.push('held');
      held.push(client);
    },
  };
  /** The loop's end of a turn: held clients released, the writer started again. */
  const endOfTurn = (): void => {
    for (const client of held.splice(0)) client.releaseHeld();
    writer.rewind();
  };
  return { host, events, input, kernel, endOfTurn };
}

describe('LoopClient holding replies until the end of the turn', () => {
  it('holds its reply and its close until the turn ends', () => {
    const { host, events, endOfTurn } = fakeLoop();
    const client = new LoopClient(7, 0, 0, host);
    client.turnAway('-ERR max number of clients reached\r\n');
    expect(events).toEqual(['held']); // nothing written, no FIN yet
    endOfTurn();
    expect(events).toEqual([
      'held',
      'write -ERR max number of clients reached\r\n',
      'shutdown',
      'watch in', // the input drains until the peer closes
    ]);
  });

  it('writes every read of the turn in one go, in order', () => {
    const { host, events, input, endOfTurn } = fakeLoop();
    const client = new LoopClient(7, 1, 0, host);
    input.push(resp('ECHO', 'one'));
    client.readable();
    input.push(resp('ECHO', 'two'));
    client.readable();
    expect(events).toEqual(['held']);
    endOfTurn();
    expect(events).toEqual(['held', 'write $3\r\none\r\n', 'write $3\r\ntwo\r\n']);
  });

  it('copies what the kernel does not take before the writer starts again', () => {
    const { host, events, input, kernel, endOfTurn } = fakeLoop();
    const client = new LoopClient(7, 1, 0, host);
    input.push(resp('ECHO', 'first'));
    client.readable();
    kernel.takes = 3;
    endOfTurn(); // '$5\r' goes; the rest waits, copied
    expect(events).toEqual(['held', 'write $5\r', 'watch out']);
    input.push(resp('ECHO', 'XXXXX')); // encoded where the first reply was lent from
    client.readable();
    endOfTurn(); // queued behind what waits
    kernel.takes = Infinity;
    client.onEvents(OUT);
    expect(events.slice(3)).toEqual(['held', 'write \nfirst\r\n', 'write $5\r\nXXXXX\r\n', 'watch in']);
  });
});
