// The server's one shutdown routine (Redis's server.c prepareForShutdown and finishShutdown), on the main thread.
// SHUTDOWN, from whichever thread runs it (core/shutdown-request.ts relays a worker's), and SIGINT/SIGTERM's
// graceful close (RunningServer.closeOnSignal) share finalPersistence: a BGSAVE running is stopped, the
// append-only file is flushed and fsynced, and the RDB is saved when save points are set (or SAVE asks) unless
// NOSAVE. A signal's flags are the shutdown-on-sigint / shutdown-on-sigterm setting's (Redis 7.0). Knows the
// main thread's persistence and append-only writer, and what closes the server; nothing of sockets.

import type { Logger } from 'pino';
import type { ShutdownFlags } from './core/command.js';
import type { Persistence } from './core/rdb/persistence.js';
import { errnoOfError, strerror } from './core/errno-text.js';

/** A shutdown with no options: SHUTDOWN alone, and a signal's. */
export const DEFAULT_SHUTDOWN: ShutdownFlags = Object.freeze({
  nosave: false,
  save: false,
  now: false,
  force: false,
});

export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

/** The setting that holds a signal's shutdown flags. */
export const signalSetting = (signal: ShutdownSignal): string =>
  signal === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm';

/**
 * A shutdown-on-sigint / shutdown-on-sigterm value as SHUTDOWN's flags: "default" (none), or flag names separated
 * by spaces ("nosave now"), as config.ts stores it.
 */
export function signalShutdownFlags(setting: string): ShutdownFlags {
  const words = setting.split(' ');
  return {
    nosave: words.includes('nosave'),
    save: words.includes('save'),
    now: words.includes('now'),
    force: words.includes('force'),
  };
}

/**
 * A signal's shutdown could not make its final save and was not told to FORCE: Redis refuses to exit and serves
 * on; here the clients were already closed (the signal's close is graceful and saves last, so the dump holds
 * every acknowledged write), so the process exits 1 instead of 0 and the log says why.
 */
export class ShutdownSaveError extends Error {
  readonly code = 'ERR_SHUTDOWN_SAVE';
  override name = 'ShutdownSaveError';
}

/** How long a BGSAVE running on another thread (which encodes before it answers) is waited for. */
const OTHER_THREAD_SAVE_WAIT_MS = 10_000;

export interface ShutdownDeps {
  readonly logger: Logger;
  /** Holds every thread's writers off (SharedStore.pauseWrites) until the returned function is called. */
  pauseWrites(): () => void;
  /** The main thread's RDB persistence and append-only writer (absent: nothing to save or sync). */
  readonly persistence: Persistence | undefined;
  readonly aof:
    { readonly logging: boolean; readonly waitingForFirstRewrite: boolean; flushAndSync(): void } | undefined;
  /** Drops every client and stops every thread and timer now (RunningServer.abort). */
  abort(): void;
  /** After a successful SHUTDOWN, the server dropped: the CLI exits the process with code 0. */
  exit(): void;
}

export class ServerShutdown {
  private goingDown = false;

  constructor(private readonly deps: ShutdownDeps) {}

  /**
   * SHUTDOWN: writers on every thread wait from before the final save until the server is dropped, so the dump
   * holds every write acknowledged before it and no later write is acknowledged. False: the save failed without
   * FORCE; the writers go on and so does the server (Redis's "Errors trying to SHUTDOWN").
   */
  byCommand(flags: ShutdownFlags): boolean {
    if (this.goingDown) return true;
    const { logger } = this.deps;
    logger.warn('User requested shutdown...');
    const resumeWrites = this.deps.pauseWrites();
    let persisted = false;
    try {
      persisted = this.finalPersistence(flags);
    } finally {
      if (!persisted) resumeWrites();
    }
    if (!persisted) {
      logger.warn('Errors trying to shut down the server. Check the logs for more information.');
      return false;
    }
    this.goingDown = true;
    logger.warn('redis-lite is now ready to exit, bye bye...');
    this.deps.abort();
    // Writers stay held off until the process is gone: a thread's client may not be dropped yet (the hybrid's
    // loops close theirs when they next wake), and a write run now could still be acknowledged. An embedded
    // server's exit() returns, and its threads must go on to close.
    this.deps.exit();
    resumeWrites();
    return true;
  }

  /**
   * finishShutdown's part on disk, in its order; each step logged with Redis's words. False when the save failed
   * and FORCE was not given. A failed fsync of the append-only file is logged and does not stop it, as in Redis.
   */
  finalPersistence(flags: ShutdownFlags): boolean {
    const { persistence, aof, logger } = this.deps;
    // appendonly was just turned on and its rewrite has not written the data yet: the file alone would lose it.
    if (aof?.waitingForFirstRewrite === true) {
      if (!flags.force) {
        logger.warn("Writing initial AOF, can't exit.");
        return false;
      }
      logger.warn('Writing initial AOF. Exit anyway.');
    }
    persistence?.stopBackgroundSave(OTHER_THREAD_SAVE_WAIT_MS);
    if (aof?.logging === true) {
      logger.info('Calling fsync() on the AOF file.');
      try {
        aof.flushAndSync();
      } catch (error) {
        logger.warn({ err: error }, `Fail to fsync the AOF file: ${strerror(errnoOfError(error))}.`);
      }
    }
    if (persistence === undefined) return true;
    // prepareForShutdown: while the dataset loads, a save would write half of it over the file being loaded.
    if (persistence.loading()) return true;
    if (!((persistence.savePointsSet() && !flags.nosave) || flags.save)) return true;
    logger.info('Saving the final RDB snapshot before exiting.');
    try {
      persistence.save();
      return true;
    } catch (error) {
      const detail = { file: persistence.path() };
      if (flags.force) {
        logger.warn(detail, 'Error trying to save the DB. Exit anyway.');
        return true;
      }
      logger.warn(detail, "Error trying to save the DB, can't exit.");
      return false;
    }
  }
}
