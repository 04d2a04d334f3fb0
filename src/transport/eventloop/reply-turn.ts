// The event loop writes replies once per turn of the loop, as Redis's beforeSleep does (flushAppendOnlyFile, then
// handleClientsWithPendingWrites): each connection holds the replies its reads produced, and at the end of the turn
// (setImmediate: after every socket read in this turn) the append-only file's records of all the clients served go
// out in one write(2), and for appendfsync always one sync, then every held client's replies are written. Replies
// of a client that logged nothing wait too: what it read may be a write that is not in the file yet.
// Why replies wait even with no file: written as each read was served, they woke the client's side once per write.
// A redis-benchmark at -P 16 -c 50 sleeps between replies; each write woke it, across cores (an inter-processor
// interrupt, dear in a VM), and that wake-up was 18% of the server's CPU at the 64 MB cap; written together at the
// end of the turn, the first wakes it and the rest find it running (bench/results/reply-turn.md).
// The held replies are not copied: the thread's writer keeps what it lent valid until the turn ends (rewind).

import type { Logger } from 'pino';
import type { AppendOnlyLog } from '../../core/command.js';
import type { ByteWriter } from '../../core/reply-encoding.js';
import { writeOutThenRelease } from '../log-write-out.js';

/** A connection holding replies until the turn's write-out. */
export interface HoldingClient {
  /** The file has what its replies answer (or there is no file): write them. */
  releaseHeld(): void;
  /** The write-out failed: its replies would acknowledge writes not in the file. */
  destroy(): void;
}

export class ReplyTurn {
  private held: HoldingClient[] = [];
  private scheduled = false;

  /**
   * `writer`: the thread's writer the sessions lend their replies from, kept valid until the turn ends. `log`: the
   * append-only file, when this thread writes one.
   */
  constructor(
    private readonly writer: ByteWriter,
    private readonly log: AppendOnlyLog | undefined,
    private readonly logger: Logger,
  ) {
    writer.keepLentUntilRewind();
  }

  /** `client` started holding replies (once per turn): it is released at the end of this turn. */
  holding(client: HoldingClient): void {
    this.held.push(client);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.endOfTurn);
    }
  }

  /**
   * The owed records in the file (and on disk for always), then every held client's replies sent. Also called at
   * once for a client that is closing, whose replies must go out before its end.
   */
  writeOut(): void {
    const held = this.held;
    if (held.length === 0 && this.log?.owes !== true) return;
    this.held = [];
    if (this.log === undefined || !this.log.owes) {
      for (const client of held) client.releaseHeld();
      return;
    }
    writeOutThenRelease(
      this.log,
      held,
      (client) => client.releaseHeld(),
      (client) => client.destroy(),
      (error) =>
        this.logger.error({ err: error }, 'writing the append only file failed; closing the clients it held'),
    );
  }

  /** Between reads: every held reply written (or copied by its connection), so the writer starts again. */
  private readonly endOfTurn = (): void => {
    this.scheduled = false;
    this.writeOut();
    this.writer.rewind();
  };
}
