// Which file a worker thread (the pool's worker, the hybrid's loop) starts from: the one-file bundle
// (<name>.bundle.cjs, written after tsc by scripts/bundle-worker.mjs) when it is at least as new as every module
// it was built from, else <name>.js, which behaves the same but starts ~50 ms of CPU slower per thread
// (bench/results/pool-startup.md).
// A stale bundle is never used: after a bare `tsc` the workers run the code just compiled.
// Knows only file names and modification times; nothing of what a worker does.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The pool's worker; the hybrid's loop thread is 'loop-worker'. */
export const POOL_WORKER = 'worker';

export interface WorkerEntry {
  readonly url: URL;
  readonly bundled: boolean;
  /** Why the bundle was not used, when it exists but is stale or unreadable; absent otherwise. */
  readonly reason?: string;
}

interface Manifest {
  readonly inputs: readonly string[];
}

function isManifest(value: unknown): value is Manifest {
  const inputs = (value as { inputs?: unknown } | null)?.inputs;
  return Array.isArray(inputs) && inputs.every((input) => typeof input === 'string');
}

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** The entry of worker `name` in `dir` (the compiled directory where <name>.js lives). */
export function chooseWorkerEntry(dir: URL, name: string = POOL_WORKER): WorkerEntry {
  const path = fileURLToPath(dir);
  const bundle = `${name}.bundle.cjs`;
  const manifestFile = `${name}.bundle.json`;
  const modules: WorkerEntry = { url: pathToFileURL(join(path, `${name}.js`)), bundled: false };
  const bundleTime = mtime(join(path, bundle));
  if (bundleTime === null) return modules;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(path, manifestFile), 'utf8'));
  } catch {
    return { ...modules, reason: `${manifestFile} is missing or unreadable` };
  }
  if (!isManifest(manifest) || manifest.inputs.length === 0) {
    return { ...modules, reason: `${manifestFile} lists no inputs` };
  }
  for (const input of manifest.inputs) {
    const inputTime = mtime(join(path, input));
    if (inputTime === null) return { ...modules, reason: `its input ${input} is gone` };
    if (inputTime > bundleTime) return { ...modules, reason: `${input} is newer than the bundle` };
  }
  return { url: pathToFileURL(join(path, bundle)), bundled: true };
}
