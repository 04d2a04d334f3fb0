// CLIENT REPLY's state of one client (networking.c: CLIENT_REPLY_OFF, CLIENT_REPLY_SKIP, CLIENT_REPLY_SKIP_NEXT):
// OFF silences every reply until CLIENT REPLY ON; SKIP silences the reply of the command after it. The session
// asks whether a reply goes out and tells when a command is done (resetClient's part); the CLIENT command sets
// the modes. Silenced means not written at all, as Redis's prepareClientToWrite refuses it: errors, QUEUED and
// a blocking command's later reply alike. Pub/Sub messages and (UN)SUBSCRIBE's confirmations still go out
// (CLIENT_PUSHING lets them through), so a RESP3 subscriber that publishes to itself under OFF gets the message
// and not PUBLISH's count.

import type { Reply } from './reply.js';

export interface ReplyModes {
  /** CLIENT REPLY OFF: nothing is written until CLIENT REPLY ON. */
  off: boolean;
  /** The command now running was preceded by CLIENT REPLY SKIP: its reply is not written. */
  skip: boolean;
  /** CLIENT REPLY SKIP ran: the next command's reply is skipped. */
  skipNext: boolean;
}

/** Whether replies of the command now running are withheld. */
export const repliesSilenced = (modes: ReplyModes | undefined): boolean =>
  modes !== undefined && (modes.off || modes.skip);

/** Whether `reply` goes out: not withheld, or a push (a SUBSCRIBE confirmation), which Redis writes anyway. */
export function replyWritten(modes: ReplyModes | undefined, reply: Reply): boolean {
  if (!repliesSilenced(modes)) return true;
  if (reply.kind === 'push') return true;
  return reply.kind === 'sequence' && reply.value.length > 0 && reply.value.every((r) => r.kind === 'push');
}

/**
 * A command is done (its reply written or withheld): the skip, if any, is spent, and a SKIP that just ran
 * applies to the next command, as resetClient does.
 */
export function commandDone(modes: ReplyModes | undefined): void {
  if (modes === undefined) return;
  modes.skip = modes.skipNext;
  modes.skipNext = false;
}
