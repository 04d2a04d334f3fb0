// Loads the pool transport's native helper (native/fdutil.c, built by node-gyp on `npm install`) and says
// exactly what is missing when it cannot: a machine without a C toolchain still installs, but has no pool.
// Finds the package root (loading itself is native-addon.ts); knows nothing about sockets, workers or sessions.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NativeFdUtil, loadNativeFrom } from './native-addon.js';

export { type NativeFdUtil, loadNativeFrom } from './native-addon.js';

/** The package root: the nearest directory above this module holding binding.gyp (from src/ or dist/src/). */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string | null {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

let cached: NativeFdUtil | Error | undefined;

/** The addon, or an Error whose message says what is missing and how to build it. Loaded once. */
export function loadNative(): NativeFdUtil | Error {
  if (cached !== undefined) return cached;
  cached = load();
  return cached;
}

function load(): NativeFdUtil | Error {
  const root = packageRoot();
  if (root === null) {
    return new Error(
      'the pool transport needs its native helper, but binding.gyp was not found above ' + import.meta.url,
    );
  }
  return loadNativeFrom(root);
}
