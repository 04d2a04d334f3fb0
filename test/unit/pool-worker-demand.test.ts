// The pool's start/retire arithmetic (src/transport/threadpool/worker-demand.ts), as Apache's worker MPM: start
// enough workers that every waiting client gets one and the spare count is left over, counting those already
// starting, within the maximum; retire idle workers past the idle time, oldest first, down to the spare count.

import { describe, expect, it } from 'vitest';
import { workersToRetire, workersToStart } from '../../src/transport/threadpool/worker-demand.js';

describe('worker demand', () => {
  it('starts one per waiting client plus the spares, less those idle or starting, within the vacant slots', () => {
    expect(workersToStart({ idle: 2, starting: 0, queued: 0, vacant: 98 }, 2)).toBe(0);
    expect(workersToStart({ idle: 1, starting: 0, queued: 0, vacant: 98 }, 2)).toBe(1);
    expect(workersToStart({ idle: 0, starting: 1, queued: 3, vacant: 50 }, 2)).toBe(4);
    expect(workersToStart({ idle: 0, starting: 0, queued: 10, vacant: 3 }, 2)).toBe(3);
    expect(workersToStart({ idle: 5, starting: 2, queued: 0, vacant: 10 }, 2)).toBe(0);
    expect(workersToStart({ idle: 0, starting: 0, queued: 1, vacant: 0 }, 2)).toBe(0);
  });

  it('retires the longest idle first, only past the idle time, keeping the spare count; 0 never retires', () => {
    const idleSince = [1000, 2000, 3000, 4000];
    expect(workersToRetire(idleSince, 4500, 1000, 1)).toBe(3);
    expect(workersToRetire(idleSince, 3500, 1000, 1)).toBe(2);
    expect(workersToRetire(idleSince, 10_000, 1000, 2)).toBe(2);
    expect(workersToRetire(idleSince, 1500, 1000, 0)).toBe(0);
    expect(workersToRetire(idleSince, 10_000, 0, 0)).toBe(0);
  });
});
