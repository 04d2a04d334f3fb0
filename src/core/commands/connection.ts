// The connection family (redis.io/commands/?group=connection): PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET
// and the CLIENT container (client.ts). Replies and error lines follow Redis 7's server.c / networking.c /
// acl.c. These commands change only the calling client's state; closing is the session's job (closeAfterReply).

import { logEntry } from '../acl/enforce.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { isKeyword, toInteger } from '../args.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { CommandError, ERR, cString } from '../errors.js';
import {
  array,
  bulk,
  bulkString,
  error,
  fieldMap,
  integer,
  OK,
  status,
  type Reply,
  type RespVersion,
} from '../reply.js';
import { REDIS_COMPAT_VERSION } from '../info.js';
import { clientCommand, validClientName } from './client.js';
import { databaseIndex } from './keyspace-db.js';
import { stopMonitoring } from './monitor.js';

const PONG = status('PONG');
const RESET = status('RESET');

const noPasswordConfigured =
  'ERR AUTH <password> called without any password configured for the default user. ' +
  'Are you sure your configuration is correct?';
const helloNeedsAuth =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH ' +
  '<user> <pass> option can be used to authenticate the client and select the RESP protocol version at the ' +
  'same time';

/** networking.c authRequired: the default user needs a password (or is off) and the client has not given one. */
function isAuthenticated(ctx: CommandContext): boolean {
  const acl = ctx.server.acl;
  return (
    ctx.client.authenticated || (acl === undefined ? ctx.server.requirePass() === '' : !acl.authRequired)
  );
}

const digest = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/**
 * acl.c ACLAuthenticateUser: the user exists, is on, and is nopass or has this password (compared as SHA-256
 * hashes in constant time). A failure goes to the ACL log (reason auth, the command as typed, the user named).
 * Without an ACL hub (test fakes), the default user with requirepass is the only one.
 */
function authenticate(ctx: CommandContext, argv0: Buffer, username: Buffer, password: Buffer): boolean {
  const acl = ctx.server.acl;
  const name = username.toString('latin1');
  if (acl === undefined) {
    if (name !== 'default') return false;
    const required = ctx.server.requirePass();
    if (required !== '' && !timingSafeEqual(digest(password), digest(Buffer.from(required, 'utf8'))))
      return false;
    ctx.client.authenticated = true;
    return true;
  }
  acl.sync();
  const user = acl.user(name);
  if (user !== undefined && user.accepts(password)) {
    acl.authenticatedAs(ctx.client, user);
    return true;
  }
  logEntry(ctx, 'auth', ctx.client.transaction.active ? 'multi' : 'toplevel', argv0, name);
  return false;
}

/** The default user has no password (AUTH <password> then has nothing to check). */
function defaultIsNopass(ctx: CommandContext): boolean {
  const acl = ctx.server.acl;
  if (acl === undefined) return ctx.server.requirePass() === '';
  acl.sync();
  return acl.user('default')?.nopass === true;
}

/**
 * PING [message]: PONG, or the message as a bulk; a RESP2 client in subscribed state gets ["pong", message or
 * ""] instead, which a subscriber's reader can tell from a published message (pingCommand).
 */
function ping(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length > 2) throw new CommandError(ERR.wrongArity('ping'));
  if (ctx.client.pubsub?.active === true && ctx.client.resp === 2) {
    return array([bulkString('pong'), argv.length === 2 ? bulk(argv[1]) : bulkString('')]);
  }
  return argv.length === 2 ? bulk(argv[1]) : PONG;
}

/** QUIT: OK, then the connection closes once the reply is written. */
function quit(_argv: Buffer[], ctx: CommandContext): Reply {
  ctx.client.closeAfterReply = true;
  return OK;
}

/**
 * SELECT index: the client's commands act on that database from now on (its context's store follows
 * client.db); inside MULTI it is queued and switches the database for the commands queued after it.
 */
function select(argv: Buffer[], ctx: CommandContext): Reply {
  ctx.client.db = databaseIndex(argv[1], ctx);
  return OK;
}

/** AUTH [username] password. */
function auth(argv: Buffer[], ctx: CommandContext): Reply {
  if (argv.length > 3) throw new CommandError(ERR.syntax);
  if (argv.length === 2) {
    // The two-argument form is the legacy requirepass check: an error when no password is configured.
    if (defaultIsNopass(ctx)) throw new CommandError(noPasswordConfigured);
    return authenticate(ctx, argv[0], Buffer.from('default'), argv[1]) ? OK : error(ERR.wrongPass);
  }
  return authenticate(ctx, argv[0], argv[1], argv[2]) ? OK : error(ERR.wrongPass);
}

/**
 * HELLO [protover [AUTH username password] [SETNAME clientname]]: switches the client to RESP2 or RESP3 and
 * answers the server's map (a map in RESP3, flat in RESP2: the session encodes it in the new protocol). Without
 * a version the protocol stays as it is.
 */
function hello(argv: Buffer[], ctx: CommandContext): Reply {
  let next = 1;
  let version: RespVersion | undefined;
  if (argv.length >= 2) {
    const asked = toInteger(argv[next++], 'ERR Protocol version is not an integer or out of range');
    if (asked !== 2 && asked !== 3) throw new CommandError(ERR.noProto);
    version = asked;
  }
  // Options in order, each applied where it stands, as Redis 7.0's helloCommand takes them: AUTH authenticates
  // and SETNAME names the client at once, and both stay in effect when a later option, or the authentication
  // check after them, is refused (HELLO 2 SETNAME a AUTH default wrong names the client a, then WRONGPASS).
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isKeyword(argv[j], 'AUTH') && more >= 2) {
      if (!authenticate(ctx, argv[0], argv[j + 1], argv[j + 2])) throw new CommandError(ERR.wrongPass);
      j += 2;
    } else if (isKeyword(argv[j], 'SETNAME') && more >= 1) {
      const name = argv[++j];
      if (!validClientName(name)) throw new CommandError(ERR.clientName);
      ctx.client.name = name.toString('latin1');
    } else {
      throw new CommandError(`ERR Syntax error in HELLO option '${cString(argv[j])}'`);
    }
  }
  if (!isAuthenticated(ctx)) throw new CommandError(helloNeedsAuth);
  if (version !== undefined) ctx.client.resp = version;
  return fieldMap([
    ['server', bulkString('redis')],
    ['version', bulkString(REDIS_COMPAT_VERSION)],
    ['proto', integer(ctx.client.resp)],
    ['id', integer(ctx.client.id)],
    ['mode', bulkString('standalone')],
    ['role', bulkString('master')],
    ['modules', array([])],
  ]);
}

/**
 * RESET: back to a fresh connection's state (transaction and watched keys, subscriptions, name, database,
 * authentication, RESP2), as clearClientConnectionState.
 */
function reset(_argv: Buffer[], ctx: CommandContext): Reply {
  ctx.client.transaction.discard(ctx.store);
  if (ctx.client.pubsub !== undefined) {
    // Every subscription ends, with no unsubscribe replies (pubsubUnsubscribeAll*(c, 0)).
    ctx.server.pubsub?.removeClient(ctx.client.pubsub);
    ctx.client.pubsub = undefined;
  }
  stopMonitoring(ctx);
  ctx.server.tracking?.disable(ctx.client); // CLIENT TRACKING ends too
  // CLIENT REPLY OFF and a SKIP for the next command end; a SKIP that covers this RESET still withholds its reply.
  const modes = ctx.client.replyModes;
  if (modes !== undefined) modes.off = modes.skipNext = false;
  ctx.client.name = '';
  ctx.client.db = 0;
  ctx.client.resp = 2;
  // clientSetDefaultAuth: back to the default user, authenticated if it needs no password.
  if (ctx.server.acl === undefined) ctx.client.authenticated = ctx.server.requirePass() === '';
  else ctx.server.acl.connected(ctx.client);
  return RESET;
}

const unauthenticated = ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'] as const;

export const connectionCommands: readonly CommandSpec[] = [
  {
    name: 'ping',
    syntax: 'PING [message]',
    summary: "Returns the server's liveliness response.",
    group: 'connection',
    since: '1.0.0',
    arity: -1,
    flags: ['fast'],
    keys: [0, 0, 0],
    run: ping,
  },
  {
    name: 'echo',
    syntax: 'ECHO message',
    summary: 'Returns the given string.',
    group: 'connection',
    since: '1.0.0',
    arity: 2,
    flags: ['loading', 'stale', 'fast'], // Redis answers ECHO while it loads its data
    keys: [0, 0, 0],
    run: (argv) => bulk(argv[1]),
  },
  {
    name: 'quit',
    syntax: 'QUIT',
    summary: 'Closes the connection.',
    group: 'connection',
    since: '1.0.0',
    arity: -1,
    flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'],
    keys: [0, 0, 0],
    run: quit,
  },
  {
    name: 'select',
    syntax: 'SELECT index',
    summary: 'Changes the selected database.',
    group: 'connection',
    since: '1.0.0',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    keys: [0, 0, 0],
    run: select,
  },
  {
    name: 'auth',
    syntax: 'AUTH [username] password',
    summary: 'Authenticates the connection.',
    group: 'connection',
    since: '1.0.0',
    arity: -2,
    flags: unauthenticated,
    keys: [0, 0, 0],
    run: auth,
  },
  {
    name: 'hello',
    syntax: 'HELLO [protover [AUTH username password] [SETNAME clientname]]',
    summary: 'Handshakes with the Redis server.',
    group: 'connection',
    since: '6.0.0',
    arity: -1,
    flags: unauthenticated,
    keys: [0, 0, 0],
    run: hello,
  },
  {
    name: 'reset',
    syntax: 'RESET',
    summary: 'Resets the connection.',
    group: 'connection',
    since: '6.2.0',
    arity: 1,
    flags: unauthenticated,
    keys: [0, 0, 0],
    run: reset,
  },
  clientCommand,
];
