// Where the multi-part append-only file lives, as Redis 7.0 lays it out: a directory (appenddirname) in `dir`
// holding the manifest (`<appendfilename>.manifest`), one base file and the incremental files it lists; and the
// operations on them that must survive a crash at any point: the manifest replaced atomically (a temporary file,
// fsync, rename, fsync of the directory: writeAofManifestFile), the upgrade of a Redis 6 single file
// (aofUpgradePrepare), the history files' removal, and the temporary files a killed process left. Knows file
// names and the disk; not what the files hold, nor when a rewrite runs.

import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import {
  EMPTY_MANIFEST,
  filesToLoad,
  formatManifest,
  incrName,
  parseManifest,
  withoutHistory,
  type AofManifest,
} from './aof-manifest.js';

/** What the incremental-file word of the shared state holds while the turn-on's rewrite has not ended. */
export const TEMP_INCR_SEQ = 0;

export class AofFiles {
  /** dir/appenddirname. */
  readonly dir: string;
  /** Where a Redis 6 (or redis-lite before the directory) single file sits: dir/appendfilename. */
  readonly legacyPath: string;
  readonly manifestPath: string;
  /**
   * The manifest in force, as the main thread (the only one that changes it: start-up and the rewrites) last wrote
   * or read it; other threads' instances leave it empty and read the file when they need it (INFO).
   */
  manifest: AofManifest = EMPTY_MANIFEST;

  constructor(
    /** `dir`: where the directory and the rewrite's temporary base are. */
    readonly workDirectory: string,
    dirname: string,
    readonly filename: string,
  ) {
    this.dir = path.join(workDirectory, dirname);
    this.legacyPath = path.join(workDirectory, filename);
    this.manifestPath = this.pathOf(`${filename}.manifest`);
  }

  /**
   * The directory for `config`; `workDir`: `dir` as it was at start-up, for a thread started later (CONFIG SET dir
   * may have moved `dir` since; the append-only directory stays where the server opened it).
   */
  static of(config: Config, workDir: string | null = null): AofFiles {
    return new AofFiles(
      workDir ?? config.string('dir'),
      config.string('appenddirname'),
      config.string('appendfilename'),
    );
  }

  pathOf(name: string): string {
    return path.join(this.dir, name);
  }

  /**
   * The file records go to: the incremental file of sequence `seq`, or (TEMP_INCR_SEQ) Redis's temporary one,
   * `temp-<appendfilename>.incr`, that collects the writes of a turn-on's rewrite until it ends.
   */
  logPath(seq: number): string {
    return seq === TEMP_INCR_SEQ
      ? this.pathOf(`temp-${this.filename}.incr`)
      : this.pathOf(incrName(this.filename, seq));
  }

  /** Where a rewrite's encoder writes the new base before it is renamed into the directory (Redis's child's). */
  rewriteTempPath(): string {
    return path.join(this.workDirectory, `temp-rewriteaof-bg-${process.pid}.aof`);
  }

  /** Where start-up writes a base for an empty dataset before renaming it in (rewriteAppendOnlyFile's). */
  startupTempPath(): string {
    return path.join(this.workDirectory, `temp-rewriteaof-${process.pid}.aof`);
  }

  /** aofLoadManifestFromDisk: the manifest, or an empty one when the directory or the manifest is missing. */
  loadManifest(): AofManifest {
    if (!existsSync(this.manifestPath)) return EMPTY_MANIFEST;
    return parseManifest(readFileSync(this.manifestPath));
  }

  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true });
  }

  /** writeAofManifestFile: written whole beside it, synced, renamed over it, the directory synced. */
  persist(manifest: AofManifest): void {
    this.ensureDir();
    const temp = this.pathOf(`temp-${this.filename}.manifest`);
    const fd = openSync(temp, 'w', 0o644);
    try {
      const text = Buffer.from(formatManifest(manifest), 'latin1');
      for (let at = 0; at < text.length;) at += writeSync(fd, text, at, text.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The files it names (a base or an incremental file renamed in just before) are on disk before it is.
    this.syncDir();
    renameSync(temp, this.manifestPath);
    this.syncDir();
  }

  /**
   * loadAppendOnlyFiles's upgrade test: dir/appendfilename exists, and the directory does not, or its manifest
   * lists nothing, or lists only that file as the base while the directory lacks it (a crash mid-upgrade). Then
   * aofUpgradePrepare: a manifest naming it the base (seq 1) is written first, then the file is moved in; a crash
   * between the two is finished by the next start. Returns the manifest to load, and whether it upgraded.
   */
  upgradeIfLegacy(manifest: AofManifest): { manifest: AofManifest; upgraded: boolean } {
    if (!existsSync(this.legacyPath)) return { manifest, upgraded: false };
    const nothing = manifest.base === null && manifest.incr.length === 0;
    const halfDone =
      manifest.base !== null &&
      manifest.incr.length === 0 &&
      manifest.base.name === this.filename &&
      !existsSync(this.pathOf(this.filename));
    if (existsSync(this.dir) && !nothing && !halfDone) return { manifest, upgraded: false };
    const upgraded: AofManifest = {
      ...manifest,
      base: { name: this.filename, seq: 1, type: 'b' },
      baseSeq: 1,
    };
    this.persist(upgraded);
    renameSync(this.legacyPath, this.pathOf(this.filename));
    this.syncDir();
    return { manifest: upgraded, upgraded: true };
  }

  /** aofDelHistoryFiles: the history files removed, and a manifest without them written. */
  deleteHistory(manifest: AofManifest): AofManifest {
    if (manifest.history.length === 0) return manifest;
    for (const file of manifest.history) removeQuietly(this.pathOf(file.name));
    const cleaned = withoutHistory(manifest);
    this.persist(cleaned);
    return cleaned;
  }

  /**
   * The temporary files a process killed mid-rewrite or mid-upgrade left (Redis's temp- names): the rewrite's
   * base in `dir` (of a process no longer running), the turn-on's incremental file and a half-written manifest in
   * the directory. None of them is listed in a manifest, so removing them loses nothing. Returns the names removed.
   */
  removeTempFiles(): string[] {
    const removed: string[] = [];
    const sweep = (folder: string, match: (name: string) => boolean): void => {
      let names: string[];
      try {
        names = readdirSync(folder);
      } catch {
        return; // no such directory
      }
      for (const name of names) {
        if (!match(name)) continue;
        removeQuietly(path.join(folder, name));
        removed.push(name);
      }
    };
    // A rewrite's base carries its process's id: one of a process still running (another server sharing this
    // `dir`, or one in this process) is its own to finish or remove.
    sweep(this.workDirectory, (name) => {
      const match = /^temp-rewriteaof-(?:bg-)?(\d+)\.aof$/.exec(name);
      return match !== null && !processAlive(Number(match[1]));
    });
    const ours = new Set([`temp-${this.filename}.incr`, `temp-${this.filename}.manifest`]);
    sweep(this.dir, (name) => ours.has(name));
    return removed;
  }

  /** getAppendOnlyFileSize: 0 for a file that is missing. */
  sizeOf(name: string): number {
    try {
      return statSync(this.pathOf(name)).size;
    } catch {
      return 0;
    }
  }

  /** aof_current_size as Redis 7.0 counts it: the base and the incremental files, history left out. */
  currentSize(manifest: AofManifest): number {
    return filesToLoad(manifest).reduce((sum, file) => sum + this.sizeOf(file.name), 0);
  }

  /** fsyncFileDir: the directory's entries (a rename, a new file) on disk. */
  private syncDir(): void {
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

export function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Never made, or already renamed into place.
  }
}
