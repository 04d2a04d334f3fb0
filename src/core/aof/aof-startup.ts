// The append-only file at start-up, once the data is loaded and before a write is served (Redis 7.0's
// aofOpenIfNeededOnServerStart and aofDelHistoryFiles): the directory made, a base written when there is nothing
// (an empty dataset), the last incremental file opened (or a first one made), the manifest written if that changed
// it, the history files a crash left deleted (unless aof-disable-auto-gc), and every thread's log pointed at that
// incremental file.

import { closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import type { Config } from '../config.js';
import { AUTOSYNC_BYTES, IncrementalSync } from '../incremental-sync.js';
import { encodeRdb, type RdbSaveOptions } from '../rdb/file.js';
import type { AofFiles } from './aof-files.js';
import { withNewBase, withNewIncr } from './aof-manifest.js';
import type { AofState } from './aof-state.js';
import { encodeAofCommands } from './rewrite-commands.js';
import { baseFormat } from './rewrite.js';
import { autoGc } from './rewrite-scheduler.js';

export type StartupLog = (message: string) => void;

/**
 * `files.manifest` is the one loaded (aof-loader.ts planAofLoad), or empty when there was none; `now`: the server's
 * clock. Returns the second of the #TS annotation a base made here starts with (null: none), which Redis, writing
 * it in its own process, takes as the log's last annotation (aof_cur_timestamp).
 */
export function openAofOnStart(
  files: AofFiles,
  state: AofState,
  config: Config,
  log: StartupLog,
  now: number = Date.now(),
): number | null {
  files.ensureDir();
  let manifest = files.manifest;
  let stamped: number | null = null;
  if (manifest.base === null && manifest.incr.length === 0) {
    // Nothing was loaded, so the dataset is empty: its base is an RDB of no keys, or (aof-use-rdb-preamble no) no
    // commands, only the #TS annotation when aof-timestamp-enabled is on, as rewriteAppendOnlyFile writes them.
    const format = baseFormat(config, now);
    if (format.kind === 'commands') stamped = format.stamp;
    manifest = withNewBase(manifest, files.filename, format.kind === 'rdb');
    const name = (manifest.base as { name: string }).name;
    const rdbOptions: RdbSaveOptions = {
      compress: config.string('rdbcompression') === 'yes',
      checksum: config.string('rdbchecksum') === 'yes',
      ctime: Math.floor(now / 1000),
      usedMemory: 0,
      aofBase: true,
    };
    const chunks = format.kind === 'rdb' ? encodeRdb([], rdbOptions) : encodeAofCommands([], format.stamp);
    const autosync = config.string('aof-rewrite-incremental-fsync') === 'yes' ? AUTOSYNC_BYTES : 0;
    writeSynced(files.startupTempPath(), files.pathOf(name), chunks, autosync);
    log(`Creating AOF base file ${name} on server start`);
  }
  const creating = manifest.incr.length === 0;
  if (creating) manifest = withNewIncr(manifest, files.filename);
  const incr = manifest.incr[manifest.incr.length - 1];
  closeSync(openSync(files.pathOf(incr.name), 'a', 0o644));
  if (manifest !== files.manifest) files.persist(manifest);
  files.manifest = autoGc(config) ? files.deleteHistory(manifest) : manifest;
  state.incrSeq = incr.seq;
  log(`${creating ? 'Creating' : 'Opening'} AOF incr file ${incr.name} on server start`);
  return stamped;
}

/** rewriteAppendOnlyFile: written to a temporary file, synced, renamed into place. */
function writeSynced(temp: string, file: string, chunks: Iterable<Buffer>, autosync: number): void {
  const fd = openSync(temp, 'w', 0o644);
  try {
    const out = new IncrementalSync(fd, autosync);
    for (const chunk of chunks) out.write(chunk);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}
