// The event loop's timer for blocked clients' timeouts (BLPOP ... 5): one Node timer, always armed for the
// earliest deadline of the thread's blocked clients, re-armed whenever that may have changed. The hybrid's
// loops and the pool's workers ask the hub for the next deadline before each wait instead. Knows the hub's
// deadlines and Node timers; nothing of sockets.

import type { BlockingHub } from '../../core/blocking/hub.js';

/** The longest delay setTimeout takes as given (a 32-bit signed count of ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Keeps a timer armed for `hub`'s earliest deadline (clock ms on `clock`); returns the function that stops it. */
export function armBlockingTimeouts(hub: BlockingHub, clock: () => number): () => void {
  let timer: NodeJS.Timeout | null = null;
  let armedFor = Infinity;
  const rearm = (): void => {
    const next = hub.nextDeadline();
    if (next === armedFor) return;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    armedFor = next;
    if (next === Infinity) return;
    // Node fires a delay past 2^31 - 1 ms at once: a farther deadline is reached in steps (fire re-arms).
    timer = setTimeout(fire, Math.min(MAX_TIMER_MS, Math.max(0, next - clock())));
  };
  const fire = (): void => {
    timer = null;
    armedFor = Infinity;
    hub.expire(clock());
    rearm();
  };
  hub.onDeadlinesChanged(rearm);
  return () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
}
