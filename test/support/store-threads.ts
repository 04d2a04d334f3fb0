// Test fixture for store tests across worker threads: the built store module (worker threads cannot load
// TypeScript on Node 20, so threads and test alike use dist/), and one worker running a script of operations
// against a store's shared buffers, resolving with what it reports.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as StoreModule from '../../src/core/store/store.js';

export const storeUrl = new URL('../../dist/src/core/store/store.js', import.meta.url);

/** The compiled store module (the same code the worker threads run). */
export async function builtStore(): Promise<typeof StoreModule> {
  if (!existsSync(fileURLToPath(storeUrl)))
    throw new Error(`${storeUrl.pathname} missing: run npm run build`);
  return (await import(storeUrl.href)) as typeof StoreModule;
}

/** Runs `script` `repeat` times in a worker thread (workerUrl: a .mjs worker) on the store behind `handles`. */
export function runStoreWorker<Op, Result>(
  workerUrl: URL,
  handles: StoreModule.StoreHandles,
  id: number,
  script: Op[],
  repeat: number,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(workerUrl), {
      workerData: { storeUrl: storeUrl.href, handles, id, script, repeat },
    });
    let result: Result | undefined;
    worker.once('message', (message: Result) => (result = message));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      result !== undefined && code === 0 ? resolve(result) : reject(new Error(`worker exit ${code}`)),
    );
  });
}
