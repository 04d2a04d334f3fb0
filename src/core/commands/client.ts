// The CLIENT container (redis.io/commands/client): SETNAME, GETNAME, ID, LIST, INFO, KILL, SETINFO, NO-EVICT,
// NO-TOUCH, REPLY, UNBLOCK, PAUSE, UNPAUSE (client-pause.ts), TRACKING and its kin (client-tracking.ts), HELP. The client list comes from the server context (the transport knows every
// client); the calling client's own fields are read live from its state so its line is never stale. Never closes a
// socket itself: killing another client goes through server.killClient, killing oneself through closeAfterReply.

import type { AclHub } from '../acl/acl-hub.js';
import { ArgCursor, isKeyword, toBigInt } from '../args.js';
import { clientInfo } from '../client-info.js';
import type { ClientInfo, CommandContext, CommandSpec } from '../command.js';
import { argvBytes } from '../transaction.js';
import { CommandError, ERR, cString } from '../errors.js';
import { bulkString, integer, NIL, OK, sequence, verbatim, type Reply } from '../reply.js';
import { clientPause, clientUnpause } from './client-pause.js';
import {
  CACHING_HELP,
  clientCaching,
  clientGetRedir,
  clientTracking,
  clientTrackingInfo,
  TRACKING_HELP,
} from './client-tracking.js';
import { helpReply, subcommandBuilder } from './container.js';

/** Redis's validateClientAttr: printable ASCII without spaces ('!' to '~'); empty clears the name. */
export function validClientName(name: Uint8Array): boolean {
  for (const c of name) if (c < 0x21 || c > 0x7e) return false;
  return true;
}

/**
 * The caller's entry from its live state (its watched keys' state too, which only its own thread can read); the
 * buffer figures from the transport's listing, if it has one.
 */
function ownInfo(ctx: CommandContext, listed: ClientInfo | undefined): ClientInfo {
  const { client } = ctx;
  const info = clientInfo(client, {
    // Redis's caller holds the read being processed, this request included (its session says how much).
    queryBuffer: client.queryBytes ?? listed?.queryBuffer ?? 0,
    outputBuffer: listed?.outputBuffer ?? 0,
    fd: listed?.fd,
  });
  const argv = client.argv === undefined || client.argv === null ? {} : { argvBytes: argvBytes(client.argv) };
  return { ...info, ...argv, ...(client.transaction.touched(ctx.store) ? { dirtyCas: true } : {}) };
}

/** Every client, with the caller's entry taken from its live state (and added if the transport lacks it). */
function allClients(ctx: CommandContext): ClientInfo[] {
  const listed = ctx.server.clients();
  const i = listed.findIndex((c) => c.id === ctx.client.id);
  if (i < 0) return [...listed, ownInfo(ctx, undefined)].sort((a, b) => a.id - b.id);
  const copy = [...listed];
  copy[i] = ownInfo(ctx, listed[i]);
  return copy;
}

/** The caller's CLIENT LIST line (catClientInfoString of the current client: ACL LOG's client-info). */
export function callerLine(ctx: CommandContext): string {
  return clientLine(ownInfo(ctx, ctx.server.client(ctx.client.id)), ctx.server.clock());
}

/** One CLIENT LIST line in Redis 7's field order (networking.c catClientInfoString), without the newline. */
export function clientLine(c: ClientInfo, now: number): string {
  const age = Math.max(0, Math.floor((now - c.createdAt) / 1000));
  const idle = Math.max(0, Math.floor((now - c.lastInteraction) / 1000));
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd ?? -1} name=${c.name} age=${age} idle=${idle} ` +
    `flags=${flags(c)} db=${c.db} sub=${c.pubsub?.channels ?? 0} ` +
    `psub=${c.pubsub?.patterns ?? 0} ssub=${c.pubsub?.shardChannels ?? 0} multi=${c.multi ?? -1} qbuf=${c.queryBuffer} qbuf-free=0 argv-mem=${c.argvBytes ?? 0} ` +
    `multi-mem=${c.multiBytes ?? 0} rbs=${c.queryBuffer} rbp=0 obl=0 oll=0 omem=${c.outputBuffer} ` +
    `tot-mem=${c.queryBuffer + c.outputBuffer} events=r cmd=${c.lastCommand} user=${c.user ?? 'default'} redir=${c.tracking?.redirect ?? -1} resp=${c.resp ?? 2}`
  );
}

/** CLIENT LIST and CLIENT INFO are verbatim text in RESP3 (a bulk in RESP2), as Redis 7.0 sends them. */
const lines = (clients: readonly ClientInfo[], now: number): Reply =>
  verbatim(clients.map((c) => `${clientLine(c, now)}\n`).join(''));

/**
 * catClientInfoString's flags, in its order: O (a monitor), P (subscribed), x (in MULTI), b (blocked), t
 * (tracking), R (its tracking redirect is gone), B (broadcast tracking), d (a watched key written), e
 * (no-evict); N for none.
 */
const flags = (c: ClientInfo): string =>
  [
    c.monitor === true ? 'O' : '',
    isPubSub(c) ? 'P' : '',
    (c.multi ?? -1) >= 0 ? 'x' : '',
    c.blocked === true ? 'b' : '',
    c.tracking !== undefined ? 't' : '',
    c.tracking?.brokenRedirect === true ? 'R' : '',
    c.tracking?.bcast === true ? 'B' : '',
    c.dirtyCas === true ? 'd' : '',
    c.noEvict === true ? 'e' : '',
  ].join('') || 'N';

/** Redis's client type "pubsub" (getClientType: CLIENT_PUBSUB); every other client here is "normal". */
const isPubSub = (c: ClientInfo): boolean => c.pubsub?.active === true;

/** CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]: a client is "pubsub" or "normal". */
function list(argv: Buffer[], ctx: CommandContext): Reply {
  const now = ctx.server.clock();
  const args = new ArgCursor(argv, 2);
  if (!args.hasNext()) return lines(allClients(ctx), now);
  const option = args.nextWord();
  // As Redis's clientCommand: TYPE takes exactly one type, ID at least one id; anything else is a syntax error.
  if (option === 'TYPE' && args.remaining === 1) {
    const given = cString(args.next());
    const type = given.toLowerCase();
    if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(type)) {
      throw new CommandError(`ERR Unknown client type '${given}'`);
    }
    const all = allClients(ctx);
    const listed =
      type === 'normal' ? all.filter((c) => !isPubSub(c)) : type === 'pubsub' ? all.filter(isPubSub) : [];
    return lines(listed, now);
  }
  if (option === 'ID' && args.hasNext()) {
    const clients = allClients(ctx);
    const found: ClientInfo[] = [];
    while (args.hasNext()) {
      const id = Number(args.nextBigInt('ERR Invalid client ID'));
      const client = clients.find((c) => c.id === id);
      if (client !== undefined) found.push(client);
    }
    return lines(found, now);
  }
  throw new CommandError(ERR.syntax);
}

interface KillFilter {
  id?: number;
  addr?: string;
  laddr?: string;
  /** TYPE pubsub (true) or normal (false). */
  pubsub?: boolean;
  /** USER: clients authenticated as this user. */
  user?: string;
  skipMe: boolean;
}

function parseKill(argv: Buffer[], acl: AclHub | undefined): KillFilter {
  const args = new ArgCursor(argv, 2);
  // The old form CLIENT KILL addr:port may kill the caller; the new form skips it unless SKIPME no.
  if (args.remaining === 1) return { addr: args.next().toString('latin1'), skipMe: false };
  // The new form is option/value pairs: a lone trailing option is a syntax error before any is read.
  if (args.remaining % 2 !== 0) throw new CommandError(ERR.syntax);
  const filter: KillFilter = { skipMe: true };
  while (args.hasNext()) {
    const option = args.nextWord();
    if (option === 'ID') {
      const id = args.nextBigInt('ERR client-id should be greater than 0');
      if (id < 1n) throw new CommandError('ERR client-id should be greater than 0');
      filter.id = Number(id);
    } else if (option === 'ADDR') {
      filter.addr = args.next().toString('latin1');
    } else if (option === 'LADDR') {
      filter.laddr = args.next().toString('latin1');
    } else if (option === 'SKIPME') {
      const skipMe = args.nextWord();
      if (skipMe === 'YES') filter.skipMe = true;
      else if (skipMe === 'NO') filter.skipMe = false;
      else throw new CommandError(ERR.syntax);
    } else if (option === 'TYPE') {
      // A client is "normal" or "pubsub"; master and replica match nobody, which killClient never sees. Any
      // other name is refused, as getClientTypeByName's -1 is.
      const given = args.next();
      const type = given.toString('latin1').toUpperCase();
      if (type === 'NORMAL') filter.pubsub = false;
      else if (type === 'PUBSUB') filter.pubsub = true;
      else if (['MASTER', 'SLAVE', 'REPLICA'].includes(type)) filter.id = -1;
      else throw new CommandError(`ERR Unknown client type '${cString(given)}'`);
    } else if (option === 'USER') {
      // networking.c: a user that does not exist is an error, not a filter that matches nobody.
      const name = args.next().toString('latin1');
      if (acl !== undefined && acl.user(name) === undefined) {
        throw new CommandError(`ERR No such user '${name}'`);
      }
      filter.user = name;
    } else {
      throw new CommandError(ERR.syntax);
    }
  }
  return filter;
}

/** CLIENT KILL addr:port | CLIENT KILL [ID id] [ADDR addr] [LADDR laddr] [SKIPME yes|no] [TYPE t] [USER u]. */
function kill(argv: Buffer[], ctx: CommandContext): Reply {
  const filter = parseKill(argv, ctx.server.acl);
  const me = ctx.client.id;
  const matches = allClients(ctx).filter(
    (c) =>
      (filter.id === undefined || c.id === filter.id) &&
      (filter.addr === undefined || c.addr === filter.addr) &&
      (filter.laddr === undefined || c.laddr === filter.laddr) &&
      (filter.pubsub === undefined || isPubSub(c) === filter.pubsub) &&
      (filter.user === undefined || (c.user ?? 'default') === filter.user) &&
      !(filter.skipMe && c.id === me),
  );
  const killClient = ctx.server.killClient;
  if (killClient === undefined && matches.some((c) => c.id !== me)) {
    // Checked before anything is killed, so a refused KILL has no side effect on the caller either.
    throw new CommandError(
      `ERR CLIENT KILL is not supported by the ${ctx.server.transportStats().transport} transport`,
    );
  }
  let killed = 0;
  for (const c of matches) {
    if (c.id === me) {
      ctx.client.closeAfterReply = true; // after this reply is written, as Redis's CLOSE_AFTER_REPLY
      killed++;
    } else if (killClient?.(c.id) === true) {
      killed++;
    }
  }
  if (argv.length === 3) {
    if (killed === 0) throw new CommandError('ERR No such client');
    return OK;
  }
  return integer(killed);
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value: accepted and validated (node-redis and redis-cli 7.2 send it). */
function setinfo(argv: Buffer[]): Reply {
  const args = new ArgCursor(argv, 2);
  const option = args.next();
  const value = args.next();
  args.finish();
  const attr = cString(option);
  if (!isKeyword(option, 'LIB-NAME') && !isKeyword(option, 'LIB-VER')) {
    throw new CommandError(`ERR Unrecognized option '${attr}'`);
  }
  if (!validClientName(value)) {
    throw new CommandError(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
  }
  return OK;
}

/**
 * CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: a client blocked in BLPOP or its kin, on any thread, gets its
 * timeout reply or the -UNBLOCKED error (networking.c: the reason is read before the id, and a fifth argument
 * is an unknown subcommand there).
 */
function unblock(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length > 4) {
    throw new CommandError(
      `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1], 128)}'. Try CLIENT HELP.`,
    );
  }
  let asError = false;
  if (argv.length === 4) {
    if (isKeyword(argv[3], 'ERROR')) asError = true;
    else if (!isKeyword(argv[3], 'TIMEOUT'))
      throw new CommandError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = toBigInt(argv[2]);
  const blocking = ctx.server.blocking;
  if (blocking === undefined || id < 1n || id > BigInt(Number.MAX_SAFE_INTEGER)) return integer(0);
  return integer(blocking.unblock(Number(id), asError) ? 1 : 0);
}

/** CLIENT NO-EVICT / NO-TOUCH's ON or OFF (a syntax error otherwise). */
function onOff(argv: Buffer[]): boolean {
  const args = new ArgCursor(argv, 2);
  const mode = args.nextWord();
  args.finish();
  if (mode !== 'ON' && mode !== 'OFF') throw new CommandError(ERR.syntax);
  return mode === 'ON';
}

/** CLIENT NO-EVICT ON|OFF: no client is evicted here, so it is only shown (CLIENT LIST flags=e). */
function noEvict(argv: Buffer[], ctx: CommandContext): Reply {
  ctx.client.noEvict = onOff(argv);
  return OK;
}

/** CLIENT NO-TOUCH ON|OFF (Redis 7.2): nothing is LRU-tracked per client here, so only the syntax matters. */
function noTouch(argv: Buffer[]): Reply {
  onOff(argv);
  return OK;
}

/** What CLIENT REPLY OFF and SKIP answer: nothing (their own reply is the first one withheld). */
const NO_REPLY = sequence([]);

/** CLIENT REPLY ON|OFF|SKIP (networking.c clientCommand): the modes the session reads (client-reply.ts). */
function reply(argv: Buffer[], ctx: CommandContext): Reply {
  const modes = (ctx.client.replyModes ??= { off: false, skip: false, skipNext: false });
  if (isKeyword(argv[2], 'ON')) {
    modes.off = false;
    modes.skip = false;
    return OK;
  }
  if (isKeyword(argv[2], 'OFF')) {
    modes.off = true;
    return NO_REPLY;
  }
  if (isKeyword(argv[2], 'SKIP')) {
    if (!modes.off) modes.skipNext = true;
    return NO_REPLY;
  }
  throw new CommandError(ERR.syntax);
}

function setname(argv: Buffer[], ctx: CommandContext): Reply {
  const args = new ArgCursor(argv, 2);
  const name = args.next();
  args.finish();
  if (!validClientName(name)) throw new CommandError(ERR.clientName);
  ctx.client.name = name.toString('latin1');
  return OK;
}

const HELP = [
  ...CACHING_HELP,
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  '    * ID <client-id>',
  '      Kill connections by client id.',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  '    * ID <client-id> [<client-id> ...]',
  '      Return clients of specified IDs only.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'GETNAME',
  '    Return the name of the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  ...TRACKING_HELP,
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
];

/** The Redis version each subcommand appeared in (COMMAND DOCS "since"). */
const SINCE: Record<string, string> = {
  setname: '2.6.9',
  getname: '2.6.9',
  id: '5.0.0',
  info: '6.2.0',
  setinfo: '7.2.0',
  'no-evict': '7.0.0',
  'no-touch': '7.2.0',
  tracking: '6.0.0',
  caching: '6.0.0',
  getredir: '6.0.0',
  trackinginfo: '6.0.0',
  reply: '3.2.0',
  unblock: '5.0.0',
  pause: '2.9.50',
  unpause: '6.2.0',
  help: '5.0.0',
};

const sub = subcommandBuilder('client', 'connection', '2.4.0', SINCE);

const quiet = ['noscript', 'loading', 'stale'] as const;

export const clientCommand: CommandSpec = {
  name: 'client',
  syntax: 'CLIENT subcommand [argument ...]',
  summary: 'A container for client connection commands.',
  group: 'connection',
  since: '2.4.0',
  arity: -2,
  flags: [],
  keys: [0, 0, 0],
  subcommands: [
    sub('setname', 'CLIENT SETNAME connection-name', 'Sets the connection name.', 3, quiet, setname),
    sub('getname', 'CLIENT GETNAME', 'Returns the name of the connection.', 2, quiet, (_argv, ctx) =>
      ctx.client.name === '' ? NIL : bulkString(ctx.client.name),
    ),
    sub('id', 'CLIENT ID', 'Returns the unique client ID of the connection.', 2, quiet, (_argv, ctx) =>
      integer(ctx.client.id),
    ),
    sub(
      'list',
      'CLIENT LIST [TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]',
      'Lists open connections.',
      -2,
      ['admin', ...quiet],
      list,
    ),
    sub('info', 'CLIENT INFO', 'Returns information about the connection.', 2, quiet, (_argv, ctx) => {
      const listed = ctx.server.client(ctx.client.id);
      return lines([ownInfo(ctx, listed)], ctx.server.clock());
    }),
    sub(
      'kill',
      'CLIENT KILL <ip:port | <[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | ' +
        '[USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME <YES | NO>]> [[ID client-id] | ' +
        '[TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | ' +
        '[LADDR ip:port] | [SKIPME <YES | NO>] ...]>',
      'Terminates open connections.',
      -3,
      ['admin', ...quiet],
      kill,
    ),
    sub(
      'setinfo',
      'CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>',
      'Sets information specific to the client.',
      4,
      quiet,
      setinfo,
    ),
    sub(
      'no-evict',
      'CLIENT NO-EVICT <ON | OFF>',
      'Sets the client eviction mode of the connection.',
      3,
      ['admin', ...quiet],
      noEvict,
    ),
    sub(
      'no-touch',
      'CLIENT NO-TOUCH <ON | OFF>',
      'Controls whether commands sent by the client affect the LRU/LFU of accessed keys.',
      3,
      quiet,
      noTouch,
    ),
    sub(
      'reply',
      'CLIENT REPLY <ON | OFF | SKIP>',
      'Instructs the server whether to reply to commands.',
      3,
      quiet,
      reply,
    ),
    sub(
      'unblock',
      'CLIENT UNBLOCK client-id [TIMEOUT | ERROR]',
      'Unblock a client blocked in a blocking command from a different connection',
      -3,
      ['admin', ...quiet],
      unblock,
    ),
    sub(
      'pause',
      'CLIENT PAUSE timeout [WRITE | ALL]',
      'Stop processing commands from clients for some time',
      -3,
      ['admin', ...quiet],
      clientPause,
    ),
    sub(
      'unpause',
      'CLIENT UNPAUSE',
      'Resume processing of clients that were paused',
      2,
      ['admin', ...quiet],
      clientUnpause,
    ),
    sub(
      'tracking',
      'CLIENT TRACKING <ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] ' +
        '[OPTOUT] [NOLOOP]',
      'Enable or disable server assisted client side caching support',
      -3,
      quiet,
      clientTracking,
    ),
    sub(
      'caching',
      'CLIENT CACHING <YES | NO>',
      'Instruct the server about tracking or not keys in the next request',
      3,
      quiet,
      clientCaching,
    ),
    sub(
      'getredir',
      'CLIENT GETREDIR',
      'Get tracking notifications redirection client ID if any',
      2,
      quiet,
      clientGetRedir,
    ),
    sub(
      'trackinginfo',
      'CLIENT TRACKINGINFO',
      'Return information about server assisted client side caching for the current connection',
      2,
      quiet,
      clientTrackingInfo,
    ),
    sub(
      'help',
      'CLIENT HELP',
      'Returns helpful text about the different subcommands.',
      2,
      ['loading', 'stale'],
      () => helpReply('client', HELP),
    ),
  ],
};
