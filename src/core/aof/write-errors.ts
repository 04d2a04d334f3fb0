// What a failed write or sync of the append-only file does, as Redis 7.0's flushAppendOnlyFile and its
// background fsync job: the errno INFO and MISCONF report (aof-state.ts, shared by every thread), the log lines
// (a failed write at most once per 30 seconds, the recovery once), and, under appendfsync always, the exit
// (replies already made cannot be taken back, and they promised the disk). Knows the status and the log; not
// the buffer or the file.

import type { Config } from '../config.js';
import { errnoOf, errnoOfError, strerror } from '../errno-text.js';
import type { AofState } from './aof-state.js';
import type { WriteFailure } from './append-buffer.js';

/** Where the file's failures are logged (the server's log; a worker thread posts to the main thread). */
export type AofReport = (level: 'info' | 'warn', message: string) => void;

/**
 * Thrown where Redis exits(1) (appendfsync always and a write or sync failed), after the server was asked to stop:
 * the replies the thread holds must not go out (the transports close their clients instead).
 */
export class AofExitError extends Error {
  override name = 'AofExitError';
}

const ENOSPC = errnoOf('ENOSPC');

export class AofWriteErrors {
  /** Log lines. */
  report: AofReport = () => undefined;
  /** Redis's exit(1): the server stops (the CLI exits with status 1); `reason` as logged. */
  exit: (reason: string) => void = () => undefined;

  constructor(
    private readonly state: AofState,
    private readonly config: Config,
  ) {}

  /**
   * A write-out failed (its rest is held for the next one). `mayLog`: whether this one may be logged (at most one
   * line per 30 seconds). Under appendfsync always: exits (throws AofExitError).
   */
  writeFailed(failure: WriteFailure, mayLog: boolean): void {
    // A short write is reported as ENOSPC, whatever stopped it (Redis: the likely cause).
    const errno = failure.partial > 0 ? ENOSPC : errnoOfError(failure.error);
    if (mayLog) {
      if (failure.partial === 0) {
        this.report('warn', `Error writing to the AOF file: ${strerror(errno)}`);
      } else {
        this.report(
          'warn',
          `Short write while writing to the AOF file: (nwritten=${failure.partial}, expected=${failure.expected})`,
        );
        if (failure.truncateError !== null) {
          this.report(
            'warn',
            'Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next ' +
              `time it starts.  ftruncate: ${strerror(errnoOfError(failure.truncateError))}`,
          );
        }
      }
    }
    if (this.config.string('appendfsync') === 'always') {
      this.fatal("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
    }
    this.state.writeFailed(errno);
  }

  /** A write-out succeeded: writes are accepted again if the last one had failed. */
  writeSucceeded(): void {
    if (this.state.lastWriteFailed && this.state.writeSucceeded()) {
      this.report('warn', 'AOF write error looks solved, Redis can write again.');
    }
  }

  /** appendfsync always's sync failed: Redis exits. */
  alwaysSyncFailed(error: unknown): never {
    this.fatal(
      `Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${strerror(errnoOfError(error))}. Exiting...`,
    );
  }

  /**
   * appendfsync everysec's background sync ended (bio.c): a failure refuses writes (MISCONF) until a sync succeeds,
   * logged when it starts; EBADF and EINVAL are not failures (the descriptor was closed meanwhile).
   */
  backgroundSyncEnded(error: NodeJS.ErrnoException | null): void {
    if (error === null || error.code === 'EBADF' || error.code === 'EINVAL') {
      this.state.syncSucceeded();
      return;
    }
    const errno = errnoOfError(error);
    if (this.state.syncFailed(errno)) this.report('warn', `Fail to fsync the AOF file: ${strerror(errno)}`);
  }

  /**
   * The file could not be written for so long that the held bytes filled the buffer's room: Redis would have run out
   * of memory growing aof_buf; the server stops rather than drop acknowledged writes.
   */
  bufferFull(error: Error): never {
    this.fatal(`${error.message}. Exiting...`);
  }

  /** appendonly turned on: the file is opened afresh and the errors of the last time are forgotten. */
  reopened(): void {
    const { write, sync } = this.state.forgetErrors();
    if (sync) this.report('warn', 'AOF reopen, just ignore the AOF fsync error in bio job');
    if (write) this.report('warn', 'AOF reopen, just ignore the last error.');
  }

  private fatal(reason: string): never {
    this.report('warn', reason);
    this.exit(reason);
    throw new AofExitError(reason);
  }
}
