// The event loop writes the append-only file once per turn of the loop, as Redis's beforeSleep does
// (flushAppendOnlyFile, then handleClientsWithPendingWrites): while this thread has records not yet in the file,
// a client's replies are held by its connection; at the end of the turn (setImmediate: after every socket read
// in this turn) the records of all the clients served are written in one write(2), and for appendfsync always
// synced once, then every held client's replies are written. Replies of a client that logged nothing wait too
// while records are owed: what it read may be a write that is not in the file yet. Before, each client read
// wrote (and for always, synced) the file on its own: one write per read of 16 pipelined SETs.

import type { Logger } from 'pino';
import type { AppendOnlyLog } from '../../core/command.js';
import { writeOutThenRelease } from '../log-write-out.js';

/** A connection holding replies until the turn's write-out. */
export interface HoldingClient {
  /** The file has what its replies answer: write them. */
  releaseHeld(): void;
  /** The write-out failed: its replies would acknowledge writes not in the file. */
  destroy(): void;
}

export class LogTurn {
  private held: HoldingClient[] = [];
  private scheduled = false;

  constructor(
    private readonly log: AppendOnlyLog,
    private readonly logger: Logger,
  ) {}

  /** This thread has records not yet in the file: replies produced now must wait for the write-out. */
  get owes(): boolean {
    return this.log.owes;
  }

  /** `client` started holding replies (once per turn): it is released after this turn's write-out. */
  holding(client: HoldingClient): void {
    this.held.push(client);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.writeOut);
    }
  }

  /**
   * The owed records in the file (and on disk for always), then every held client's replies sent. Also called
   * at once for a client that is closing, whose replies must go out before its end.
   */
  readonly writeOut = (): void => {
    this.scheduled = false;
    const held = this.held;
    this.held = [];
    writeOutThenRelease(
      this.log,
      held,
      (client) => client.releaseHeld(),
      (client) => client.destroy(),
      (error) =>
        this.logger.error({ err: error }, 'writing the append only file failed; closing the clients it held'),
    );
  };
}
