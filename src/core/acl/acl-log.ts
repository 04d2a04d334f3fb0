// ACL LOG (acl.c addACLLogEntry): the latest refusals, newest first, shared by every thread in a SharedText (as
// JSON). A refusal like one of the ten newest (same reason, context, object and user, within 60 s) bumps that
// entry's count and moves it first instead of adding one; the log keeps acllog-max-len entries. Knows nothing of
// clients beyond the text describing one.

import type { SharedText } from './shared-text.js';

export type LogReason = 'command' | 'key' | 'channel' | 'auth';
export type LogContext = 'toplevel' | 'multi' | 'lua';

export interface AclLogEntry {
  count: number;
  readonly reason: LogReason;
  readonly context: LogContext;
  /** The command, key, channel or (auth) argv[0], as latin1. */
  readonly object: string;
  readonly username: string;
  /** ms on the server's clock. */
  ctime: number;
  /** The client's CLIENT LIST line when it last happened. */
  cinfo: string;
}

const GROUPING_MAX_TIME_DELTA = 60000;

export class AclLog {
  constructor(private readonly shared: SharedText) {}

  /** The entries, newest first. */
  list(): AclLogEntry[] {
    return this.shared.locked(() => this.entries());
  }

  private entries(): AclLogEntry[] {
    const text = this.shared.read();
    return text === '' ? [] : (JSON.parse(text) as AclLogEntry[]);
  }

  add(entry: AclLogEntry, maxLength: number): void {
    this.shared.locked(() => {
      const entries = this.entries();
      const match = entries
        .slice(0, 10)
        .findIndex(
          (e) =>
            e.reason === entry.reason &&
            e.context === entry.context &&
            Math.abs(e.ctime - entry.ctime) <= GROUPING_MAX_TIME_DELTA &&
            e.object === entry.object &&
            e.username === entry.username,
        );
      if (match >= 0) {
        const found = entries.splice(match, 1)[0];
        found.cinfo = entry.cinfo;
        found.ctime = entry.ctime;
        found.count++;
        entries.unshift(found);
      } else {
        entries.unshift(entry);
        entries.length = Math.min(entries.length, maxLength);
      }
      this.shared.write(JSON.stringify(entries));
    });
  }

  reset(): void {
    this.shared.locked(() => this.shared.write(''));
  }
}
