// server.c writeCommandsDeniedByDiskError and writeCommandsGetDiskErrorMessage: write commands (and PING) are
// refused while the server cannot persist them: after a failed BGSAVE with save points set
// (stop-writes-on-bgsave-error), or while the append-only file's last write or background sync failed. One
// check for every caller that refuses writes (the executor, scripts, EVAL and FCALL of scripts that write).

import type { ServerContext } from './command.js';
import { strerror } from './errno-text.js';
import { MISCONF } from './rdb/persistence.js';

/** The MISCONF error write commands are refused with now, or null when they are accepted. */
export function diskErrorRefusal(server: ServerContext): string | null {
  if (server.persistence?.writesRefused() === true) return MISCONF;
  const errno = server.aof?.writeDeniedErrno ?? 0;
  return errno === 0 ? null : aofMisconf(errno);
}

/** The AOF half's text, with the errno's strerror as Redis prints it. */
export function aofMisconf(errno: number): string {
  return `MISCONF Errors writing to the AOF file: ${strerror(errno)}`;
}
