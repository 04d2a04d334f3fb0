// The event loop writes the append-only file once per turn of the loop, as Redis's beforeSleep does
// (flushAppendOnlyFile, then handleClientsWithPendingWrites): while this thread has records not yet in the file,
// a reply's socket is corked, so the reply waits in the socket's stream; at the end of the turn (setImmediate:
// after every socket read in this turn) the records of all the clients served are written in one write(2), and
// for appendfsync always synced once, then the held sockets are uncorked. Replies of a client that logged nothing
// wait too while records are owed: what it read may be a write that is not in the file yet. Before, each client
// read wrote (and for always, synced) the file on its own: one write per read of 16 pipelined SETs.

import type net from 'node:net';
import type { Logger } from 'pino';
import type { AppendOnlyLog } from '../../core/command.js';
import { writeOutThenRelease } from '../log-write-out.js';

export class LogTurn {
  private held: net.Socket[] = [];
  private scheduled = false;

  constructor(
    private readonly log: AppendOnlyLog,
    private readonly logger: Logger,
  ) {}

  /** A reply is about to be written to `socket`: it waits for the turn's write-out if records are owed. */
  hold(socket: net.Socket): void {
    if (!this.log.owes) return;
    if (socket.writableCorked === 0) {
      socket.cork();
      this.held.push(socket);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.writeOut);
    }
  }

  /**
   * The owed records in the file (and on disk for always), then every held reply sent. Also called at once
   * for a client that is closing, whose stream would otherwise send its replies when it ends.
   */
  readonly writeOut = (): void => {
    this.scheduled = false;
    const held = this.held;
    this.held = [];
    writeOutThenRelease(
      this.log,
      held,
      (socket) => {
        if (!socket.destroyed) socket.uncork();
      },
      (socket) => socket.destroy(),
      (error) =>
        this.logger.error({ err: error }, 'writing the append only file failed; closing the clients it held'),
    );
  };
}
