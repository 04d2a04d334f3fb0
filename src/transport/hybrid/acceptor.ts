// The accepting half of loop 0 (memcached's dispatcher): accepts what waits on the listening socket, turns a
// client away past maxclients as Redis's acceptCommonHandler does, and gives each other client to the loop
// with the fewest, through that loop's hand-off ring in shared memory and a write to its eventfd: no JS
// object and no message per connection on any thread but the one that will serve it. Also the consuming side
// of the rings (drainHandoffs), which every loop runs when woken. Knows the shared layout and the reactor
// calls; nothing of sessions or commands.

import { constants } from 'node:os';
import {
  connectedAt,
  LAST_ID,
  REJECTED,
  ringHeadAt,
  ringSlotAt,
  ringTailAt,
  RING_SLOTS,
  TOTAL_CONNECTIONS,
  wakeFdAt,
} from './layout.js';
import { EAGAIN, type NativeReactor } from './native-reactor.js';

/** Most clients taken per wake-up of the listener, so serving clients already here is not held up. */
const ACCEPT_BATCH = 128;

export interface AcceptorHost {
  readonly native: NativeReactor;
  readonly state: Int32Array;
  readonly loops: number;
  /** This loop's index. */
  readonly self: number;
  /** Every client accepted stays here (a standby acceptor: the rings have one producer, the accepting loop). */
  readonly keepsAll?: boolean;
  maxclients(): number;
  /** Serve a new client here. */
  adopt(fd: number, id: number, createdAt: number): void;
  /** Answer "max number of clients reached" and close. */
  turnAway(fd: number): void;
  /** accept(2) failed with something other than EAGAIN. */
  failed(errno: number): void;
}

function connected(host: AcceptorHost): number {
  let total = 0;
  for (let loop = 0; loop < host.loops; loop++) total += Atomics.load(host.state, connectedAt(loop));
  return total;
}

/** The running loop with the fewest clients (this one on a tie). */
function leastLoaded(host: AcceptorHost): number {
  let best = host.self;
  let bestCount = Atomics.load(host.state, connectedAt(best));
  for (let loop = 0; loop < host.loops; loop++) {
    if (loop === host.self || Atomics.load(host.state, wakeFdAt(loop)) < 0) continue;
    const count = Atomics.load(host.state, connectedAt(loop));
    if (count < bestCount) [best, bestCount] = [loop, count];
  }
  return best;
}

/** Puts [fd, id] in loop's ring; false when it is full (the caller serves the client itself). */
function push(host: AcceptorHost, loop: number, fd: number, id: number): boolean {
  const { state } = host;
  const tail = Atomics.load(state, ringTailAt(loop));
  if (((tail - Atomics.load(state, ringHeadAt(loop))) | 0) >= RING_SLOTS) return false;
  const slot = ringSlotAt(host.loops, loop, tail);
  state[slot] = fd;
  state[slot + 1] = id;
  Atomics.store(state, ringTailAt(loop), (tail + 1) | 0); // publishes the slot written above
  return true;
}

/** Accepts every waiting client (up to a batch) and places each. */
export function acceptWaiting(host: AcceptorHost, listenFd: number): void {
  const { native, state } = host;
  const woken = new Uint8Array(host.loops);
  for (let i = 0; i < ACCEPT_BATCH; i++) {
    const fd = native.acceptClient(listenFd);
    if (fd < 0) {
      if (fd !== -EAGAIN && fd !== -constants.errno.ECONNABORTED) host.failed(-fd);
      break;
    }
    // As Redis: a refused client counts as rejected, not as a connection received.
    if (connected(host) >= host.maxclients()) {
      Atomics.add(state, REJECTED, 1);
      host.turnAway(fd);
      continue;
    }
    Atomics.add(state, TOTAL_CONNECTIONS, 1);
    const id = Atomics.add(state, LAST_ID, 1) + 1;
    const loop = host.keepsAll === true ? host.self : leastLoaded(host);
    Atomics.add(state, connectedAt(loop), 1);
    if (loop !== host.self && push(host, loop, fd, id)) {
      woken[loop] = 1;
      continue;
    }
    if (loop !== host.self) {
      Atomics.sub(state, connectedAt(loop), 1);
      Atomics.add(state, connectedAt(host.self), 1);
    }
    host.adopt(fd, id, Date.now());
  }
  for (let loop = 0; loop < host.loops; loop++) {
    if (woken[loop] === 1) native.eventfdSignal(Atomics.load(state, wakeFdAt(loop)));
  }
}

/** Takes the clients another loop handed to `loop` (the ring's only consumer). */
export function drainHandoffs(
  state: Int32Array,
  loops: number,
  loop: number,
  adopt: (fd: number, id: number, createdAt: number) => void,
): void {
  const tail = Atomics.load(state, ringTailAt(loop));
  let head = Atomics.load(state, ringHeadAt(loop));
  if (head === tail) return;
  const now = Date.now();
  for (; head !== tail; head = (head + 1) | 0) {
    const slot = ringSlotAt(loops, loop, head);
    adopt(state[slot], state[slot + 1], now);
  }
  Atomics.store(state, ringHeadAt(loop), head); // frees the slots read above
}
