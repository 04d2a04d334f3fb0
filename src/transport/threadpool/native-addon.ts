// Loads the pool's native helper addon from a given package root (build/Release/fdutil.node). Split from
// native.ts because the worker thread, bundled as CommonJS where import.meta is empty, loads it too (for its
// lingering close) from a root the main thread passes. Loading it installs libm's sin, cos and asin for the
// GEO commands on the loading thread (core/geo/trig.ts). Knows nothing about sockets, workers or sessions.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { installLibm, type Trig } from '../../core/geo/trig.js';

/** The three descriptor calls Node does not expose. Failures throw Errors with code/errno/syscall. */
export interface NativeFdUtil {
  /** A duplicate of fd (close-on-exec). */
  dup(fd: number): number;
  /** Clears (true) or sets (false) O_NONBLOCK; shared by every duplicate of the descriptor. */
  setBlocking(fd: number, blocking: boolean): void;
  /** shutdown(2): 'read' wakes a thread blocked reading it, 'both' also one blocked writing. */
  shutdown(fd: number, how: 'read' | 'write' | 'both'): void;
}

/** The memory calls (native/memory.c): a pool worker gives back what an outsized client made it take. */
export interface NativeMemory {
  /** Detaches `buffer`, freeing its memory now rather than at the next GC; false when it cannot be detached. */
  releaseArrayBuffer(buffer: ArrayBuffer): boolean;
  /** glibc's malloc_trim(0) over every thread's arena; true if memory went back to the system. */
  trimMemory(): boolean;
}

/** The addon's memory calls, or null when it was built without them (an older build). */
export function asMemory(addon: NativeFdUtil): NativeMemory | null {
  const candidate = addon as Partial<NativeMemory>;
  return typeof candidate.releaseArrayBuffer === 'function' && typeof candidate.trimMemory === 'function'
    ? (addon as unknown as NativeMemory)
    : null;
}

/** The huge-page calls (native/memory.c): the store's arena mapped by 2 MiB pages (store/huge-pages.ts). */
export interface NativeHugePages {
  /** The first offset in `view` that starts a 2 MiB page of the address space. */
  hugePageOffset(view: Uint8Array): number;
  /** madvise(MADV_COLLAPSE) over whole 2 MiB pages of `view`'s bytes: 0, or the errno (EINVAL: unsupported). */
  collapseHugePages(view: Uint8Array, offset: number, length: number): number;
}

/** The addon's huge-page calls, or null when it was built without them (an older build). */
export function asHugePages(addon: NativeFdUtil): NativeHugePages | null {
  const candidate = addon as Partial<NativeHugePages>;
  return typeof candidate.hugePageOffset === 'function' && typeof candidate.collapseHugePages === 'function'
    ? (addon as unknown as NativeHugePages)
    : null;
}

const ADDON = join('build', 'Release', 'fdutil.node');

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
    // Relative to the addon itself, not import.meta.url: that is empty in the worker's CommonJS bundle.
    const loaded: unknown = createRequire(path)(path);
    if (!isNativeFdUtil(loaded))
      return new Error(`${path} does not export dup, setBlocking and shutdown; ${howToBuild}`);
    // The GEO commands' sin, cos and asin become the C library's on this thread (an older build lacks them).
    const libm = loaded as Partial<Trig>;
    if (typeof libm.sin === 'function' && typeof libm.cos === 'function' && typeof libm.asin === 'function') {
      installLibm(libm as Trig);
    }
    return loaded;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return new Error(`the pool transport's native helper ${path} failed to load (${reason}); ${howToBuild}`);
  }
}
