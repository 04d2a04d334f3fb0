// The event loop's once-a-turn write-out of the append-only file: replies wait (their socket corked) only while
// the thread owes records, the write-out comes once at the end of the turn for every held socket, before they are
// uncorked, and a failed write-out closes the clients it held instead of sending replies to unlogged writes.
import type net from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AppendOnlyLog } from '../../src/core/command.js';
import { LogTurn } from '../../src/transport/eventloop/log-turn.js';

const logger = pino({ level: 'silent' });

/** The socket calls LogTurn makes, recorded in order with the log's. */
function fakeSocket(name: string, events: string[]) {
  const socket = {
    writableCorked: 0,
    destroyed: false,
    cork: () => {
      socket.writableCorked++;
      events.push(`cork ${name}`);
    },
    uncork: () => {
      socket.writableCorked--;
      events.push(`uncork ${name}`);
    },
    destroy: () => {
      socket.destroyed = true;
      events.push(`destroy ${name}`);
    },
  };
  return socket;
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

describe('LogTurn', () => {
  it('lets replies go at once while nothing is owed', async () => {
    const events: string[] = [];
    const turn = new LogTurn(fakeLog(events) as unknown as AppendOnlyLog, logger);
    turn.hold(fakeSocket('a', events) as unknown as net.Socket);
    await nextTurn();
    expect(events).toEqual([]);
  });

  it('holds every reply of the turn once records are owed, writes the file once, then sends them', async () => {
    const events: string[] = [];
    const log = fakeLog(events);
    const turn = new LogTurn(log as unknown as AppendOnlyLog, logger);
    const a = fakeSocket('a', events);
    const b = fakeSocket('b', events);
    log.owes = true; // a's SET was logged
    turn.hold(a as unknown as net.Socket);
    turn.hold(a as unknown as net.Socket); // a second read of a in the same turn: corked once
    turn.hold(b as unknown as net.Socket); // b's GET may read a's write: it waits too
    expect(events).toEqual(['cork a', 'cork b']);
    await nextTurn();
    expect(events).toEqual(['cork a', 'cork b', 'write-out', 'uncork a', 'uncork b']);
    expect(a.writableCorked).toBe(0);
  });

  it('closes the clients it held when the write-out fails', async () => {
    const events: string[] = [];
    const log = fakeLog(events, true);
    const turn = new LogTurn(log as unknown as AppendOnlyLog, logger);
    log.owes = true;
    turn.hold(fakeSocket('a', events) as unknown as net.Socket);
    await nextTurn();
    expect(events).toEqual(['cork a', 'write-out', 'destroy a']);
  });
});
