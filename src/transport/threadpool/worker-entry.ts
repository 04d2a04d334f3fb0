// Which file a pool worker thread starts from: the one-file bundle (worker.bundle.cjs, written after tsc by
// scripts/bundle-worker.mjs) when it is at least as new as every module it was built from, else worker.js,
// which behaves the same but starts ~50 ms of CPU slower per thread (bench/results/pool-startup.md).
// A stale bundle is never used: after a bare `tsc` the workers run the code just compiled.
// Knows only file names and modification times; nothing of what a worker does.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const WORKER_MODULE = 'worker.js';
export const WORKER_BUNDLE = 'worker.bundle.cjs';
export const BUNDLE_MANIFEST = 'worker.bundle.json';

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

/** The entry in `dir` (the compiled threadpool directory, where worker.js lives). */
export function chooseWorkerEntry(dir: URL): WorkerEntry {
  const path = fileURLToPath(dir);
  const modules: WorkerEntry = { url: pathToFileURL(join(path, WORKER_MODULE)), bundled: false };
  const bundleTime = mtime(join(path, WORKER_BUNDLE));
  if (bundleTime === null) return modules;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(path, BUNDLE_MANIFEST), 'utf8'));
  } catch {
    return { ...modules, reason: `${BUNDLE_MANIFEST} is missing or unreadable` };
  }
  if (!isManifest(manifest) || manifest.inputs.length === 0) {
    return { ...modules, reason: `${BUNDLE_MANIFEST} lists no inputs` };
  }
  for (const input of manifest.inputs) {
    const inputTime = mtime(join(path, input));
    if (inputTime === null) return { ...modules, reason: `its input ${input} is gone` };
    if (inputTime > bundleTime) return { ...modules, reason: `${input} is newer than the bundle` };
  }
  return { url: pathToFileURL(join(path, WORKER_BUNDLE)), bundled: true };
}
