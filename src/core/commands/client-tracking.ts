// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO (redis.io/commands/client-tracking; networking.c
// clientCommand in Redis 7.0): the options checked in Redis's order with its error lines, then the client's
// tracking state changed through its thread's tracking hub (tracking/hub.ts), which does the rest.

import { ArgCursor, isKeyword } from '../args.js';
import type { ClientState, CommandContext } from '../command.js';
import { CommandError, ERR } from '../errors.js';
import { bulkString, fieldMap, integer, OK, array, bulk, set, type Reply } from '../reply.js';
import type { TrackingHub, TrackingOptions } from '../tracking/hub.js';

function hubOf(ctx: CommandContext): TrackingHub {
  const hub = ctx.server.tracking;
  if (hub === undefined) throw new CommandError('ERR client tracking is not available');
  return hub;
}

interface Parsed extends TrackingOptions {
  readonly prefixes: Buffer[];
}

/** The options after ON|OFF, as Redis reads them: each REDIRECT checked as it comes. */
function parseOptions(argv: Buffer[], hub: TrackingHub): Parsed {
  const args = new ArgCursor(argv, 3);
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: Buffer[] = [];
  while (args.hasNext()) {
    const option = args.nextWord();
    const more = args.hasNext();
    if (option === 'REDIRECT' && more) {
      if (redirect !== 0) throw new CommandError('ERR A client can only redirect to a single other client');
      const id = args.nextBigInt();
      // Required to exist now, though it may leave later (then tracking-redir-broken).
      if (id > BigInt(Number.MAX_SAFE_INTEGER) || id < 1n || !hub.exists(Number(id))) {
        throw new CommandError('ERR The client ID you want redirect to does not exist');
      }
      redirect = Number(id);
    } else if (option === 'BCAST') bcast = true;
    else if (option === 'OPTIN') optin = true;
    else if (option === 'OPTOUT') optout = true;
    else if (option === 'NOLOOP') noloop = true;
    else if (option === 'PREFIX' && more) prefixes.push(Buffer.from(args.next()));
    else throw new CommandError(ERR.syntax);
  }
  return { redirect, bcast, optin, optout, noloop, prefixes };
}

/** Two prefixes collide when one starts the other: some key would be invalidated for both. */
const overlaps = (a: Buffer, b: Buffer): boolean =>
  a.subarray(0, Math.min(a.length, b.length)).equals(b.subarray(0, Math.min(a.length, b.length)));

/** checkPrefixCollisionsOrReply. */
function checkPrefixes(existing: readonly Buffer[], given: readonly Buffer[]): void {
  for (let i = 0; i < given.length; i++) {
    for (const old of existing) {
      if (overlaps(old, given[i])) {
        throw new CommandError(
          `ERR Prefix '${given[i].toString('latin1')}' overlaps with an existing prefix ` +
            `'${old.toString('latin1')}'. Prefixes for a single client must not overlap.`,
        );
      }
    }
    for (let j = i + 1; j < given.length; j++) {
      if (overlaps(given[i], given[j])) {
        throw new CommandError(
          `ERR Prefix '${given[i].toString('latin1')}' overlaps with another provided prefix ` +
            `'${given[j].toString('latin1')}'. Prefixes for a single client must not overlap.`,
        );
      }
    }
  }
}

/** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]. */
export function clientTracking(argv: Buffer[], ctx: CommandContext): Reply {
  const hub = hubOf(ctx);
  const options = parseOptions(argv, hub);
  const client = ctx.client;
  if (isKeyword(argv[2], 'OFF')) {
    hub.disable(client);
    return OK;
  }
  if (!isKeyword(argv[2], 'ON')) throw new CommandError(ERR.syntax);
  const t = client.tracking?.on === true ? client.tracking : undefined;
  if (!options.bcast && options.prefixes.length > 0)
    throw new CommandError('ERR PREFIX option requires BCAST mode to be enabled');
  if (t !== undefined && t.bcast !== options.bcast) {
    throw new CommandError(
      "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then " +
        're-enabling it with a different mode.',
    );
  }
  if (options.bcast && (options.optin || options.optout))
    throw new CommandError('ERR OPTIN and OPTOUT are not compatible with BCAST');
  if (options.optin && options.optout)
    throw new CommandError("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if ((options.optin && t?.optout === true) || (options.optout && t?.optin === true)) {
    throw new CommandError(
      "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then " +
        're-enabling it with a different mode.',
    );
  }
  if (options.bcast) {
    const existing = [...(client.tracking?.prefixes ?? [])].map((p) => Buffer.from(p, 'latin1'));
    checkPrefixes(existing, options.prefixes);
  }
  hub.enable(client, options);
  return OK;
}

/** CLIENT CACHING YES|NO: whether the next command (or transaction) is remembered in OPTIN / OPTOUT mode. */
export function clientCaching(argv: Buffer[], ctx: CommandContext): Reply {
  const t = ctx.client.tracking;
  if (t === undefined || !t.on) {
    throw new CommandError(
      'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
    );
  }
  if (isKeyword(argv[2], 'YES')) {
    if (!t.optin)
      throw new CommandError('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (isKeyword(argv[2], 'NO')) {
    if (!t.optout)
      throw new CommandError('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else {
    throw new CommandError(ERR.syntax);
  }
  t.caching = true;
  return OK;
}

/** CLIENT GETREDIR: the redirect target's id, 0 for none, -1 when not tracking. */
export function clientGetRedir(_argv: Buffer[], ctx: CommandContext): Reply {
  const t = ctx.client.tracking;
  return integer(t?.on === true ? t.redirect : -1);
}

/** CLIENT TRACKINGINFO: a map of flags (a set), redirect and prefixes. */
export function clientTrackingInfo(_argv: Buffer[], ctx: CommandContext): Reply {
  const t = ctx.client.tracking;
  const on = t?.on === true;
  const flags = [on ? 'on' : 'off'];
  if (t !== undefined && on) {
    if (t.bcast) flags.push('bcast');
    if (t.optin) flags.push('optin');
    if (t.optin && t.caching) flags.push('caching-yes');
    if (t.optout) flags.push('optout');
    if (t.optout && t.caching) flags.push('caching-no');
    if (t.noloop) flags.push('noloop');
    if (t.brokenRedirect) flags.push('broken_redirect');
  }
  // The radix tree's order: the bytes' (latin1 text compares as its bytes do).
  const prefixes = [...(t?.prefixes ?? [])].sort().map((p) => bulk(Buffer.from(p, 'latin1')));
  return fieldMap([
    ['flags', set(flags.map(bulkString))],
    ['redirect', integer(on ? t!.redirect : -1)],
    ['prefixes', array(prefixes)],
  ]);
}

/**
 * resetClient: CLIENT CACHING's flag lasts for the next command (or the transaction it starts), so it is cleared
 * after any command but CLIENT's, outside MULTI.
 */
export function cachingSpent(client: ClientState): void {
  const t = client.tracking;
  if (t === undefined || !t.caching) return;
  if (client.transaction.active || client.lastCommand.startsWith('client|')) return;
  t.caching = false;
}

/** CLIENT HELP's lines for these subcommands, as Redis 7.0 words them. */
export const TRACKING_HELP = [
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
];

export const CACHING_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
];
