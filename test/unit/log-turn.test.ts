// The event loop's once-a-turn write-out of the append-only file: clients hold their replies only while the
// thread owes records, the write-out comes once at the end of the turn for every holding client, before their
// replies are released, and a failed write-out closes the clients it held instead of sending replies to unlogged
// writes.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AppendOnlyLog } from '../../src/core/command.js';
import { type HoldingClient, LogTurn } from '../../src/transport/eventloop/log-turn.js';

const logger = pino({ level: 'silent' });

/** The calls LogTurn makes on a client, recorded in order with the log's. */
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

describe('LogTurn', () => {
  it('says records are owed exactly while the log owes them', () => {
    const log = fakeLog([]);
    const turn = new LogTurn(log as unknown as AppendOnlyLog, logger);
    expect(turn.owes).toBe(false);
    log.owes = true;
    expect(turn.owes).toBe(true);
  });

  it('writes the file once at the end of the turn, then releases every holding client in order', async () => {
    const events: string[] = [];
    const log = fakeLog(events);
    const turn = new LogTurn(log as unknown as AppendOnlyLog, logger);
    log.owes = true; // a's SET was logged
    turn.holding(fakeClient('a', events));
    turn.holding(fakeClient('b', events)); // b's GET may read a's write: it waits too
    expect(events).toEqual([]);
    await nextTurn();
    expect(events).toEqual(['write-out', 'release a', 'release b']);
    turn.holding(fakeClient('c', events)); // a later turn has its own write-out
    await nextTurn();
    expect(events).toEqual(['write-out', 'release a', 'release b', 'write-out', 'release c']);
  });

  it('closes the clients it held when the write-out fails', async () => {
    const events: string[] = [];
    const log = fakeLog(events, true);
    const turn = new LogTurn(log as unknown as AppendOnlyLog, logger);
    log.owes = true;
    turn.holding(fakeClient('a', events));
    await nextTurn();
    expect(events).toEqual(['write-out', 'destroy a']);
  });
});
