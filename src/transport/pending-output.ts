// Output a non-blocking descriptor's kernel buffer did not take yet, kept in order as a list of chunks so that
// adding to it is O(1) however much waits (a Pub/Sub subscriber that does not read collects messages here until
// its output limit cuts it). Used by the hybrid's loop clients and by a pool worker's subscribed client, both of
// which write with the native reactor, and by the event loop's connections for replies held until the turn's
// append-only file write-out. Knows bytes and the reactor's write call; nothing of clients.

import { writeSync } from 'node:fs';
import { EAGAIN, type NativeReactor } from './hybrid/native-reactor.js';

export class PendingOutput {
  private readonly chunks: Buffer[] = [];
  /** Bytes waiting. */
  bytes = 0;

  get empty(): boolean {
    return this.chunks.length === 0;
  }

  /** Copies `bytes` in: a session's replies are only lent to the transport. */
  add(bytes: Uint8Array): void {
    this.chunks.push(Buffer.from(bytes));
    this.bytes += bytes.length;
  }

  /**
   * Takes `bytes` in without copying them: a view the thread's writer keeps valid until the end of the loop's
   * turn (ByteWriter.keepLentUntilRewind), written by then, or copied by ownAll() if it must wait longer.
   */
  keep(bytes: Buffer): void {
    this.chunks.push(bytes);
    this.bytes += bytes.length;
  }

  /** Copies every chunk still held (some may be kept views): what waits past the turn must own its bytes. */
  ownAll(): void {
    for (let i = 0; i < this.chunks.length; i++) this.chunks[i] = Buffer.from(this.chunks[i]);
  }

  /** Everything held, in order; this is left empty. */
  take(): Buffer[] {
    this.bytes = 0;
    return this.chunks.splice(0);
  }

  /** Moves what `other` holds behind what this holds (`other` is left empty). */
  takeFrom(other: PendingOutput): void {
    for (const chunk of other.chunks.splice(0)) this.chunks.push(chunk);
    this.bytes += other.bytes;
    other.bytes = 0;
  }

  /** Writes what the kernel takes now; false if the client is gone (a write failed with other than EAGAIN). */
  flush(native: NativeReactor, fd: number): boolean {
    while (this.chunks.length > 0) {
      const chunk = this.chunks[0];
      const written = native.writeFrom(fd, chunk, 0, chunk.length);
      if (written === -EAGAIN) return true;
      if (written < 0) return false;
      this.bytes -= written;
      if (written < chunk.length) {
        this.chunks[0] = chunk.subarray(written);
        return true;
      }
      this.chunks.shift();
    }
    return true;
  }

  /** Writes everything on a descriptor made blocking again, waiting for the kernel (throws if the client left). */
  drainBlocking(fd: number): void {
    for (const chunk of this.chunks.splice(0)) {
      for (let at = 0; at < chunk.length;) at += writeSync(fd, chunk, at, chunk.length - at);
    }
    this.bytes = 0;
  }
}
