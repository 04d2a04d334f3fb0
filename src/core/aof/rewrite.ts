// BGREWRITEAOF's steps, as Redis 7.0 takes them over its multi-part file (aof-files.ts): the log moves to a new
// incremental file at the snapshot, so the writes made while the rewrite runs go straight there (no rewrite
// buffer, no tail to copy); the snapshot is encoded as the new base, an RDB (aof-use-rdb-preamble yes) or the
// commands that rebuild it (no); then the manifest is replaced at once, naming the new base and the incremental
// files after it, and the files the base covers become history, deleted (unless aof-disable-auto-gc).
//
// The cut point. The snapshot is taken holding every segment's read lock, so no logged write is between being
// applied and being logged (with appendonly on, writes are logged under their keys' locks, aof-log.ts; a write
// that began while appendonly was off logs nothing, and the scheduler waits for those to end before the cut,
// rewrite-scheduler.ts); under the append lock then, with every record so far written to the file they were
// logged in, the log is switched to the incremental file listed for it (appendonly on), or the turn-on's temporary
// incremental file is emptied (its records so far are in the snapshot). Every thread reopens before its next
// write-out. The base is encoded by a thread of its own (rewrite-worker.ts) with the locks released. Knows files,
// the manifest and the store's snapshot; not who asked, nor when.

import { closeSync, openSync, renameSync, truncateSync } from 'node:fs';
import type { Config } from '../config.js';
import { AUTOSYNC_BYTES } from '../incremental-sync.js';
import type { Snapshot } from '../store/snapshot.js';
import type { KeyValueStore } from '../store/types.js';
import { TEMP_INCR_SEQ, type AofFiles } from './aof-files.js';
import { withNewBase, withNewIncr, withRewrittenIncrAsHistory, type AofManifest } from './aof-manifest.js';
import type { BaseFormat, RewriteJob } from './rewrite-encoder.js';

export type SnapshotStore = KeyValueStore & { snapshot(whileLocked?: () => void): Snapshot };

/**
 * Runs `section` holding the append lock, with every record logged so far in the file (the shared buffer written
 * out first, aof-log.ts), given the database the file's last SELECT chose; replacesFile: every thread reopens the
 * file, and the next record names its database.
 */
export type InFileOrder = (section: (fileDb: number) => void, replacesFile?: boolean) => void;

/** A started rewrite: the snapshot to encode (rewrite-encoder.ts). */
export interface RewriteCut {
  readonly job: Omit<RewriteJob, 'temp'>;
  /** The snapshot's copy pause, microseconds. */
  readonly pauseMicros: number;
}

/**
 * openNewIncrAofForAppend, before the cut while appendonly is on: the next incremental file made (empty) and
 * listed last in the manifest on disk, so a crash from here on loads it after the one being written now.
 */
export function listNewIncr(files: AofFiles): AofManifest {
  const manifest = withNewIncr(files.manifest, files.filename);
  const incr = manifest.incr[manifest.incr.length - 1];
  closeSync(openSync(files.pathOf(incr.name), 'w', 0o644));
  files.persist(manifest);
  files.manifest = manifest;
  return manifest;
}

/**
 * The snapshot; `switchLog` (null with appendonly off: nothing is logged) runs at its instant under the append lock
 * and moves the log to where the writes after the snapshot belong.
 */
export function cutForRewrite(
  store: SnapshotStore,
  config: Config,
  inFileOrder: InFileOrder,
  switchLog: (() => void) | null,
  functionCodes: () => Buffer[] = () => [],
): RewriteCut {
  const at = Date.now();
  let functions: Buffer[] = [];
  const handles = store.snapshot(() => {
    // At the cut: a FUNCTION LOAD logged after it (holding every segment while it logs) is not in the base.
    functions = functionCodes();
    if (switchLog !== null) inFileOrder(switchLog, true);
  });
  const options = {
    functions,
    compress: config.string('rdbcompression') === 'yes',
    checksum: config.string('rdbchecksum') === 'yes',
    ctime: Math.floor(at / 1000),
    usedMemory: store.stats().usedMemory,
    aofBase: true,
  };
  const job = {
    control: handles.control,
    arena: handles.arena,
    at,
    options,
    base: baseFormat(config, at),
    autosync: config.string('aof-rewrite-incremental-fsync') === 'yes' ? AUTOSYNC_BYTES : 0,
  };
  return { job, pauseMicros: handles.pauseMicros };
}

/**
 * aof-use-rdb-preamble's choice for a base written at `atMs`; written as commands it starts with a #TS annotation
 * of that second when aof-timestamp-enabled is on (rewriteAppendOnlyFileRio's forced one).
 */
export function baseFormat(config: Config, atMs: number): BaseFormat {
  if (config.string('aof-use-rdb-preamble') === 'yes') return { kind: 'rdb' };
  const stamped = config.string('aof-timestamp-enabled') === 'yes';
  return { kind: 'commands', stamp: stamped ? Math.floor(atMs / 1000) : null };
}

/** switchLog's two cases: the listed incremental file (`seq`), or the temporary one emptied (TEMP_INCR_SEQ). */
export function switchLogTo(files: AofFiles, seq: number, setSeq: (seq: number) => void): void {
  if (seq === TEMP_INCR_SEQ) truncateOrCreate(files.logPath(TEMP_INCR_SEQ));
  setSeq(seq);
}

/** How the rewrite started: what the log was doing at its cut. */
export type LogAtCut = 'off' | 'on' | 'turning-on';

/**
 * backgroundRewriteDoneHandler: the encoded base (at `tempPath`, synced; an RDB when `rdb`, else commands, named
 * .base.rdb or .base.aof after what it holds) renamed in as the next base; for a
 * turn-on, the temporary incremental file renamed to the next incremental name (the log's file from now on:
 * `publishSeq`); the incremental files the base covers marked history (all of them with the log off); the manifest
 * replaced. Returns the manifest now in force (the caller deletes its history files, aofDelHistoryFiles).
 */
export function installRewrite(
  files: AofFiles,
  tempPath: string,
  log: LogAtCut,
  publishSeq: (seq: number) => void,
  rdb: boolean,
): AofManifest {
  // Redis names it by aof-use-rdb-preamble as it is when the rewrite ends; here by what the encoder wrote, which a
  // CONFIG SET during the rewrite cannot make differ (the loader reads either by its first bytes anyway).
  let manifest = withNewBase(files.manifest, files.filename, rdb);
  renameSync(tempPath, files.pathOf((manifest.base as { name: string }).name));
  if (log === 'turning-on') {
    manifest = withNewIncr(manifest, files.filename);
    const incr = manifest.incr[manifest.incr.length - 1];
    renameSync(files.logPath(TEMP_INCR_SEQ), files.pathOf(incr.name));
  }
  manifest = withRewrittenIncrAsHistory(manifest, log !== 'off');
  files.persist(manifest);
  files.manifest = manifest;
  if (log === 'turning-on') publishSeq(manifest.incrSeq);
  return manifest;
}

function truncateOrCreate(file: string): void {
  try {
    truncateSync(file, 0);
  } catch {
    closeSync(openSync(file, 'w', 0o644));
  }
}
