// The hybrid transport's shared memory, one Int32Array read and written by the main thread and every loop
// thread (named constants imported by both sides, as the pool's layout.ts): counters, each loop's line, the
// hand-off rings through which the accepting loop gives clients to the others, and which loop owns each
// descriptor. Pure constants and arithmetic.

/** Connections accepted since start (INFO total_connections_received). */
export const TOTAL_CONNECTIONS = 0;
/** Connections refused at maxclients (INFO rejected_connections). */
export const REJECTED = 1;
/** The bound TCP port (INFO tcp_port). */
export const TCP_PORT = 2;
/** Loops running (INFO). */
export const LOOPS = 3;
/** The last client id handed out: ids are unique across every loop (Atomics.add). */
export const LAST_ID = 4;
/**
 * Bumped by the main thread once it has posted a CONFIG SET to every loop: a loop that sees it moved reads its
 * port before it runs any client's bytes (config-relay.ts), so a change that has replied OK is seen by the next
 * command on every loop. One load per turn of a loop.
 */
export const CONFIG_GENERATION = 5;
/** Large query buffers the loops freed at once instead of leaving them to the GC (INFO pool_buffers_released). */
export const BUFFERS_RELEASED = 6;
/**
 * The listening descriptor + 1 while loop 0, the accepting loop, runs a script past busy-reply-threshold (else 0):
 * loop 1 accepts meanwhile (clients it keeps), so a new client can still send SCRIPT KILL or SHUTDOWN NOSAVE, as
 * Redis accepts while a script is busy.
 */
export const STANDBY_ACCEPT = 7;
const HEADER = 16;

/** Per loop, a 64-byte line of its own. */
const LOOP_INTS = 16;
/** Its connected clients: added by the accepting loop when it picks this loop, subtracted at close. */
const L_CONNECTED = 0;
/** The last client-list question of this loop that the main thread answered (loop-worker.ts). */
const L_ANSWERED = 1;
/** Its eventfd (-1 until it runs): the accepting loop wakes it after handing it clients. */
const L_WAKE_FD = 2;
/** Its hand-off ring: consumer (head) and producer (tail) positions, counting entries ever taken/put. */
const L_RING_HEAD = 3;
const L_RING_TAIL = 4;

/** Clients waiting in one loop's ring (a power of two): [fd, id] pairs. Beyond, the acceptor serves them itself. */
export const RING_SLOTS = 1024;
/** Descriptors whose owner is recorded (the machine's limit is 20,000). */
export const MAX_FD = 1 << 16;

export const connectedAt = (loop: number): number => HEADER + loop * LOOP_INTS + L_CONNECTED;
export const answeredAt = (loop: number): number => HEADER + loop * LOOP_INTS + L_ANSWERED;
export const wakeFdAt = (loop: number): number => HEADER + loop * LOOP_INTS + L_WAKE_FD;
export const ringHeadAt = (loop: number): number => HEADER + loop * LOOP_INTS + L_RING_HEAD;
export const ringTailAt = (loop: number): number => HEADER + loop * LOOP_INTS + L_RING_TAIL;

const ringsStart = (loops: number): number => HEADER + loops * LOOP_INTS;
/** Int index of the slot of ring position `position` (an int32 that wraps) of loop's ring: two ints, fd and id. */
export const ringSlotAt = (loops: number, loop: number, position: number): number =>
  ringsStart(loops) + (loop * RING_SLOTS + (position & (RING_SLOTS - 1))) * 2;

/** Int index of the owner of descriptor fd: 0 none, else the owning loop + 1 (closed for it if it dies). */
export const ownerAt = (loops: number, fd: number): number => ringsStart(loops) + loops * RING_SLOTS * 2 + fd;

export function stateBytes(loops: number): number {
  return ownerAt(loops, MAX_FD) * 4;
}
