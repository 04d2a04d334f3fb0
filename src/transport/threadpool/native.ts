// Loads the pool transport's native helper (native/fdutil.c, built by node-gyp on `npm install`) and says
// exactly what is missing when it cannot: a machine without a C toolchain still installs, but has no pool.
// Knows only where the build puts the addon; nothing about sockets, workers or sessions.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The three descriptor calls Node does not expose. Failures throw Errors with code/errno/syscall. */
export interface NativeFdUtil {
  /** A duplicate of fd (close-on-exec). */
  dup(fd: number): number;
  /** Clears (true) or sets (false) O_NONBLOCK; shared by every duplicate of the descriptor. */
  setBlocking(fd: number, blocking: boolean): void;
  /** shutdown(2): 'read' wakes a thread blocked reading it, 'both' also one blocked writing. */
  shutdown(fd: number, how: 'read' | 'write' | 'both'): void;
}

const ADDON = join('build', 'Release', 'fdutil.node');

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

function isNativeFdUtil(value: unknown): value is NativeFdUtil {
  const candidate = value as Partial<Record<keyof NativeFdUtil, unknown>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.dup === 'function' &&
    typeof candidate.setBlocking === 'function' &&
    typeof candidate.shutdown === 'function'
  );
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

/** The addon built under `root` (a package root holding build/Release/fdutil.node), or why not. Not cached. */
export function loadNativeFrom(root: string): NativeFdUtil | Error {
  const path = join(root, ADDON);
  const howToBuild =
    `build it with python3, make and a C compiler installed: \`npm rebuild\` or \`npx node-gyp rebuild\` in ${root}` +
    ' (--transport=eventloop needs none of this)';
  if (!existsSync(path)) {
    return new Error(
      `the pool transport needs the native helper ${path}, which was not built at install time; ${howToBuild}`,
    );
  }
  try {
    const loaded: unknown = createRequire(import.meta.url)(path);
    if (!isNativeFdUtil(loaded))
      return new Error(`${path} does not export dup, setBlocking and shutdown; ${howToBuild}`);
    return loaded;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return new Error(`the pool transport's native helper ${path} failed to load (${reason}); ${howToBuild}`);
  }
}
