// A hybrid loop's client while its thread owes the append-only file records: its replies are held (nothing
// written to the socket) until the turn's write-out releases them, and a close waits for them.
import { describe, expect, it } from 'vitest';
import { LoopClient, type LoopHost } from '../../src/transport/hybrid/loop-client.js';
import type { NativeReactor } from '../../src/transport/hybrid/native-reactor.js';

function fakeLoop(owes: () => boolean) {
  const events: string[] = [];
  const native = {
    epoll: { IN: 1, OUT: 4, ERR: 8, HUP: 16, RDHUP: 0x2000, CTL_ADD: 1, CTL_DEL: 2, CTL_MOD: 3 },
    writeFrom: (_fd: number, bytes: Uint8Array, offset: number, length: number) => {
      events.push(
        `write ${Buffer.from(bytes.subarray(offset, offset + length))
          .toString('latin1')
          .trim()}`,
      );
      return length;
    },
  } as unknown as NativeReactor;
  const host: LoopHost = {
    native,
    readBuffer: Buffer.alloc(16),
    limits: { outputBufferLimit: 0, queryBufferLimit: 0, pubsubOutputBufferLimit: 0 },
    now: () => 0,
    watch: () => undefined,
    newSession: () => {
      throw new Error('not used');
    },
    release: () => events.push('release'),
    shutdownWrite: () => {
      events.push('shutdown');
      return true;
    },
    warn: () => undefined,
    pushed: () => undefined,
    logOwed: owes,
    holding: () => events.push('held'),
  };
  return { host, events };
}

describe('LoopClient with records owed to the append-only file', () => {
  it('holds its reply and its close until the write-out releases them', () => {
    const { host, events } = fakeLoop(() => true);
    const client = new LoopClient(7, 0, 0, host);
    client.turnAway('-ERR max number of clients reached\r\n');
    expect(events).toEqual(['held']); // nothing written, no FIN yet
    client.releaseHeld();
    expect(events).toEqual(['held', 'write -ERR max number of clients reached', 'shutdown']);
  });

  it('writes at once while nothing is owed', () => {
    const { host, events } = fakeLoop(() => false);
    new LoopClient(7, 0, 0, host).turnAway('-ERR max number of clients reached\r\n');
    expect(events).toEqual(['write -ERR max number of clients reached', 'shutdown']);
  });
});
