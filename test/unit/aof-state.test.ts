// The append-only file's shared state (aof/aof-state.ts) and the write fences a turn-on waits for
// (shared-counters.ts), seen from several "threads": separate objects attached to the same shared memory.
import { describe, expect, it } from 'vitest';
import { AOF_OFF, AOF_ON, AOF_WAIT_REWRITE, AofState } from '../../src/core/aof/aof-state.js';
import { SharedServerCounters } from '../../src/core/shared-counters.js';
import { SharedStore } from '../../src/core/store/store.js';

function twoThreadsOfState(): [AofState, AofState] {
  const control = SharedStore.create({ clock: () => 0 }).handles().control;
  return [new AofState(control), new AofState(control)];
}

describe('AofState', () => {
  it('claims one rewrite at a time; a claim that must wait is scheduled, and started by the main thread', () => {
    const [worker, main] = twoThreadsOfState();
    expect(main.lastRewriteSeconds).toBe(-1);
    expect(worker.request(false)).toBe('started');
    expect(main.inProgress).toBe(true);
    expect(worker.request(false)).toBe('in-progress');
    expect(worker.request(true)).toBe('in-progress');
    main.end(true, main.startedAt + 2, 1234);
    expect([worker.inProgress, worker.rewrites, worker.baseSize, worker.lastRewriteSeconds]).toEqual([
      false,
      1,
      1234,
      2,
    ]);
    expect(worker.request(true)).toBe('scheduled');
    expect(worker.request(false)).toBe('scheduled');
    expect(main.scheduled).toBe(true);
    expect(main.startScheduled()).toBe(true);
    expect(main.startScheduled()).toBe(false);
    main.end(false, main.startedAt, 0);
    expect([worker.lastRewriteFailed, worker.consecutiveFailures, worker.rewrites]).toEqual([true, 1, 1]);
  });

  it('turns on into waiting for its rewrite, and off dropping the rewrite with its epoch', () => {
    const [worker, main] = twoThreadsOfState();
    expect(main.state).toBe(AOF_OFF);
    const epoch = main.epoch;
    expect(worker.turnOn()).toBe(true);
    expect(worker.turnOn()).toBe(false);
    expect([main.state, main.logging, main.epoch]).toEqual([AOF_WAIT_REWRITE, true, epoch + 1]);
    expect(worker.request(false)).toBe('started');
    expect(worker.turnOff()).toBe(true);
    expect([main.state, main.logging, main.inProgress, main.epoch]).toEqual([
      AOF_OFF,
      false,
      false,
      epoch + 2,
    ]);
    expect(worker.turnOff()).toBe(false);
    worker.turnOn();
    main.finishTurnOn();
    expect(worker.state).toBe(AOF_ON);
  });

  it('wakes a waiter on another thread', async () => {
    const [worker, main] = twoThreadsOfState();
    const seen = main.wakeCount;
    const woken = main.waitForWake(seen, 10_000);
    worker.request(false);
    expect(await woken).toBe('ok');
  });
});

describe('write fences', () => {
  it('a turn-on waits for the unlogged writes running when it looked, not for later ones', () => {
    const main = SharedServerCounters.create();
    const a = SharedServerCounters.attach(main.buffer);
    const b = SharedServerCounters.attach(main.buffer);
    a.enterUnloggedWrite();
    const ended = main.unloggedWritesEnded();
    b.enterUnloggedWrite(); // began after the look: not waited for
    expect(ended()).toBe(false);
    a.leaveUnloggedWrite();
    expect(ended()).toBe(true);
    a.enterUnloggedWrite(); // a's next write: the one seen has ended all the same
    expect(main.unloggedWritesEnded()()).toBe(false);
    a.leaveUnloggedWrite();
    b.leaveUnloggedWrite();
    expect(main.unloggedWritesEnded()()).toBe(true);
  });
});
