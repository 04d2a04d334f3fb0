// The hybrid transport's shared counters, one Int32Array read and written by the main thread and every loop
// thread (named constants imported by both sides, as the pool's layout.ts). Pure constants and arithmetic.

/** Connections accepted and handed to a loop since start (INFO total_connections_received). */
export const TOTAL_CONNECTIONS = 0;
/** Connections refused at maxclients (INFO rejected_connections). */
export const REJECTED = 1;
/** The bound TCP port, published once the server listens (INFO tcp_port). */
export const TCP_PORT = 2;
/** Loops running (INFO). */
export const LOOPS = 3;
const HEADER = 8;
/** Per loop: its connected clients (the main thread adds at hand-off, the loop subtracts at close). */
const L_CONNECTED = 0;
/** Per loop: the last client-list question of this loop that the main thread answered (list-query.ts). */
const L_ANSWERED = 1;
const LOOP_INTS = 16; // a 64-byte line per loop: loops never write each other's line

export const connectedAt = (loop: number): number => HEADER + loop * LOOP_INTS + L_CONNECTED;
export const answeredAt = (loop: number): number => HEADER + loop * LOOP_INTS + L_ANSWERED;

export function stateBytes(loops: number): number {
  return (HEADER + loops * LOOP_INTS) * 4;
}
