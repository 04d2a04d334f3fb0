// A full garbage collection on demand, for a pool worker that just served an outsized client and is about to
// sit idle: an idle worker allocates nothing, so V8 would never collect what that client left in the old
// generation (a request of 10,001 arguments leaves megabytes of argument views and offsets there). Node has no
// API for it without --expose-gc on the command line; V8 flags are process-wide, so setting that flag at run
// time and reading `gc` from a fresh context gives this isolate's collector. Side effect, accepted: a vm
// context made later in this process also has a global `gc`. Knows V8 flags only.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** This isolate's full (mark-compact) collector, or null if V8 refused to expose it. */
export function garbageCollector(): (() => void) | null {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('typeof gc === "function" ? gc : null');
  return typeof gc === 'function' ? (gc as () => void) : null;
}
