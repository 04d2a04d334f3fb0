// The event loop's timer for blocked clients' timeouts: armed for the earliest deadline once the hub says it
// changed, and for a deadline farther than setTimeout can wait (2^31 - 1 ms, past which Node fires at once) it
// waits in steps rather than timing the client out at once (WAIT 1 3000000000). Fake timers: no real waiting.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BlockingHub } from '../../src/core/blocking/hub.js';
import { armBlockingTimeouts } from '../../src/transport/eventloop/blocking-timer.js';

/** A hub with one blocked client's deadline; `expired` records each expire() call's time. */
function fakeHub(deadline: number) {
  const expired: number[] = [];
  let next = deadline;
  let listener = (): void => undefined;
  const hub = {
    nextDeadline: () => next,
    expire: (now: number) => {
      expired.push(now);
      if (now >= next) next = Infinity;
    },
    onDeadlinesChanged: (changed: () => void) => {
      listener = changed;
    },
  };
  return { hub: hub as unknown as BlockingHub, expired, blocked: () => listener() };
}

describe('armBlockingTimeouts', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('expires a client at its deadline', () => {
    const { hub, expired, blocked } = fakeHub(50);
    const stop = armBlockingTimeouts(hub, () => Date.now());
    blocked();
    vi.advanceTimersByTime(49);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([50]);
    stop();
  });

  it('waits for a deadline past 2^31 ms in steps, never expiring the client early', () => {
    const far = 3_000_000_000;
    const { hub, expired, blocked } = fakeHub(far);
    const stop = armBlockingTimeouts(hub, () => Date.now());
    blocked();
    vi.advanceTimersByTime(far - 1);
    expect(expired.length).toBeGreaterThan(0); // woken on the way, as the timer re-arms in steps
    expect(expired.every((at) => at < far)).toBe(true);
    vi.advanceTimersByTime(1);
    expect(expired.at(-1)).toBe(far);
    stop();
  });
});
