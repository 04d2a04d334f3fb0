// Reading the multi-part append-only file a test server left in its `dir` (appendonlydir, Redis 7.0's layout):
// the manifest, and the paths of the base and of the incremental file being written. Knows only the layout.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseManifest, type AofManifest } from '../../src/core/aof/aof-manifest.js';

export const AOF_DIR = 'appendonlydir';
export const MANIFEST = 'appendonly.aof.manifest';

export function manifestIn(dir: string): AofManifest {
  return parseManifest(readFileSync(path.join(dir, AOF_DIR, MANIFEST)));
}

/** The base file's path. */
export function basePath(dir: string): string {
  const base = manifestIn(dir).base;
  if (base === null) throw new Error(`no base file in ${dir}'s manifest`);
  return path.join(dir, AOF_DIR, base.name);
}

/** The last incremental file's path: where writes go now. */
export function lastIncrPath(dir: string): string {
  const incr = manifestIn(dir).incr;
  if (incr.length === 0) throw new Error(`no incremental file in ${dir}'s manifest`);
  return path.join(dir, AOF_DIR, incr[incr.length - 1].name);
}

export function manifestPath(dir: string): string {
  return path.join(dir, AOF_DIR, MANIFEST);
}
