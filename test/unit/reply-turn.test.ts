// The event loop's end of a turn: every holding client's replies released once, after one write-out of the
// append-only file when there is one; a failed write-out closes the clients it held instead of sending replies
// to unlogged writes; the thread's writer starts again only once every lent reply is out.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AppendOnlyLog } from '../../src/core/command.js';
import { ByteWriter } from '../../src/core/reply-encoding.js';
import { type HoldingClient, ReplyTurn } from '../../src/transport/eventloop/reply-turn.js';

const logger = pino({ level: 'silent' });

/** The calls ReplyTurn makes on a client, recorded in order with the log's. */
function fakeClient(name: string, events: string[]): HoldingClient {
  return {
    releaseHeld: () => events.push(`release ${name}`),
    destroy: () => events.push(`destroy ${name}`),
  };
}

function fakeLog(events: string[], fail = false) {
  const log = {
    owes: false,
    endOfBatch: () => {
      events.push('write-out');
      if (fail) throw new Error('ENOSPC');
      log.owes = false;
    },
  };
  return log;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const turnWith = (log?: ReturnType<typeof fakeLog>, writer = new ByteWriter()): ReplyTurn =>
  new ReplyTurn(writer, log as AppendOnlyLog | undefined, logger);

describe('ReplyTurn', () => {
  it('releases every holding client once at the end of the turn, in order, with no file', async () => {
    const events: string[] = [];
    const turn = turnWith();
    turn.holding(fakeClient('a', events));
    turn.holding(fakeClient('b', events));
    expect(events).toEqual([]);
    await nextTurn();
    expect(events).toEqual(['release a', 'release b']);
    turn.holding(fakeClient('c', events)); // a later turn has its own end
    await nextTurn();
    expect(events).toEqual(['release a', 'release b', 'release c']);
  });

  it('writes the file once at the end of the turn, then releases every holding client in order', async () => {
    const events: string[] = [];
    const log = fakeLog(events);
    const turn = turnWith(log);
    log.owes = true; // a's SET was logged
    turn.holding(fakeClient('a', events));
    turn.holding(fakeClient('b', events)); // b's GET may read a's write: it waits too
    expect(events).toEqual([]);
    await nextTurn();
    expect(events).toEqual(['write-out', 'release a', 'release b']);
    turn.holding(fakeClient('c', events)); // nothing owed: no write-out
    await nextTurn();
    expect(events).toEqual(['write-out', 'release a', 'release b', 'release c']);
  });

  it('closes the clients it held when the write-out fails', async () => {
    const events: string[] = [];
    const log = fakeLog(events, true);
    const turn = turnWith(log);
    log.owes = true;
    turn.holding(fakeClient('a', events));
    await nextTurn();
    expect(events).toEqual(['write-out', 'destroy a']);
  });

  it('keeps what the writer lent valid through the turn, and starts the writer again after it', async () => {
    const writer = new ByteWriter(64);
    const turn = turnWith(undefined, writer);
    writer.bytes(Buffer.from('first'));
    const first = writer.lend();
    writer.bytes(Buffer.from('x'.repeat(100))); // grows past the first buffer: the lent view keeps its bytes
    const second = writer.lend();
    expect(first.toString()).toBe('first');
    expect(second.toString()).toBe('x'.repeat(100));
    turn.holding(fakeClient('a', []));
    await nextTurn();
    writer.bytes(Buffer.from('next'));
    const next = writer.lend();
    expect(next.toString()).toBe('next');
    expect(next.byteOffset).toBe(second.byteOffset); // rewound: the turn's replies are out
  });
});
