// MONITOR's line for a command that ran (Redis 7.0's replicationFeedMonitors): which commands are shown, with
// which arguments redacted, and the text `<sec>.<usec> [<db> <addr>] "<arg>" ...` with each argument escaped as
// sdscatrepr escapes it. The executor calls feedMonitor after each command it ran; delivery to the monitors of
// every thread is the Pub/Sub hub's (hub.ts feedMonitors). Knows commands' specs and argv; nothing of sockets.

import { performance } from 'node:perf_hooks';
import type { CommandContext, CommandSpec } from './command.js';
import { redact } from './redaction.js';

const HEX = '0123456789abcdef';

/**
 * server.c call(): a command that ran is shown unless it is an admin command (CONFIG, DEBUG, CLIENT LIST,
 * MONITOR, ...). Precondition: someone monitors (hub.monitoring()), the one check every command pays.
 */
export function feedMonitor(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): void {
  if (spec.flags.includes('admin')) return;
  const hub = ctx.server.pubsub;
  if (hub === undefined) return;
  hub.feedMonitors(
    Buffer.from(monitorLine(redact(spec, argv), ctx.client.db, ctx.client.addr, now()), 'latin1'),
  );
}

/** Wall-clock microseconds since the epoch (gettimeofday). */
function now(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** The line's text (no '+' nor CRLF: the monitor's protocol frames it as a status). `micros`: epoch µs. */
export function monitorLine(argv: readonly Uint8Array[], db: number, addr: string, micros: number): string {
  const seconds = Math.floor(micros / 1e6);
  const usec = String(micros % 1e6).padStart(6, '0');
  return `${seconds}.${usec} [${db} ${addr}] ${argv.map(repr).join(' ')}`;
}

/** sds.c sdscatrepr: `"` + bytes, `\\ \" \n \r \t \a \b` by name, other non-printable bytes as \xhh, + `"`. */
export function repr(bytes: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x5c || c === 0x22) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x07) out += '\\a';
    else if (c === 0x08) out += '\\b';
    else if (c >= 0x20 && c <= 0x7e) out += String.fromCharCode(c);
    else out += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
  }
  return out + '"';
}
