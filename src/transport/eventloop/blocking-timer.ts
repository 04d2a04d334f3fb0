// The event loop's timer for blocked clients' timeouts (BLPOP ... 5): one Node timer, always armed for the
// earliest deadline of the thread's blocked clients, re-armed whenever that may have changed. The hybrid's
// loops and the pool's workers ask the hub for the next deadline before each wait instead. Knows the hub's
// deadlines and Node timers; nothing of sockets.

import type { BlockingHub } from '../../core/blocking/hub.js';

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
    timer = setTimeout(fire, Math.max(0, next - clock()));
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
