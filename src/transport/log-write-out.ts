// The end of a loop's turn with the append-only file on, shared by the event loop (eventloop/reply-turn.ts) and the
// hybrid's loops (hybrid/loop-worker.ts), as Redis's beforeSleep: what the thread logged goes to the file in one
// write (one sync for appendfsync always), then the replies held for it go out. Knows the log and the held
// clients' two ways out; nothing of sockets.

import type { AppendOnlyLog } from '../core/command.js';

/**
 * Writes the owed records out, then `release`s every held client; if the write-out fails their replies would
 * acknowledge writes that are not in the file, so each is `close`d instead (the file's write status and
 * `report` say what happened).
 */
export function writeOutThenRelease<C>(
  log: AppendOnlyLog,
  held: readonly C[],
  release: (client: C) => void,
  close: (client: C) => void,
  report: (error: unknown) => void,
): void {
  try {
    log.endOfBatch();
  } catch (error) {
    report(error);
    for (const client of held) close(client);
    return;
  }
  for (const client of held) release(client);
}
