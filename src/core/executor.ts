// argv -> Reply. Looks the command up, checks existence, arity and authentication once, centrally, in the
// order Redis 7's processCommand does (existence, arity, then NOAUTH), and maps failures to error replies.
// A CommandError becomes its error reply; anything else is a bug: reported once and answered with -ERR, so
// the connection (and on the pool, the worker thread) lives on. Knows nothing of transports or threads.

import type { CommandContext, CommandSpec, CommandTable } from './command.js';
import { CommandError, ERR } from './errors.js';
import { error, status, type Reply } from './reply.js';

/**
 * Top-level commands bucketed by name length and first letter, so the hot path finds a command by comparing
 * argv[0]'s bytes instead of building a lower-case string per request (bench/results/core-throughput.md).
 * An array, not a Map: the key is a small integer. Kept beside the table it indexes; a CommandTable made
 * elsewhere (a test fake) falls back to lookup().
 */
type ByteIndex = (CommandSpec[] | undefined)[];
const byteIndexes = new WeakMap<CommandTable, ByteIndex>();
/** The last table looked up and its index: a process has one table, so this skips the WeakMap per command. */
let lastTable: CommandTable | null = null;
let lastIndex: ByteIndex | undefined;

/** Longer names are never commands (the longest is well below). */
const MAX_NAME = 32;

function bucketKey(length: number, first: number): number {
  return length * 32 + (first & 0x1f); // ASCII letters fold to the same key in either case
}

/** Builds the lookup structure once; `commands` is the explicit list in commands/table.ts. */
export function createCommandTable(commands: readonly CommandSpec[]): CommandTable {
  const byName = new Map<string, CommandSpec>();
  // Filled up front so the array stays dense (fast element reads), not a sparse dictionary.
  const byBytes: ByteIndex = new Array<CommandSpec[] | undefined>((MAX_NAME + 1) * 32).fill(undefined);
  for (const spec of commands) {
    if (byName.has(spec.name)) throw new Error(`command '${spec.name}' is declared twice`);
    byName.set(spec.name, spec);
    for (const sub of spec.subcommands ?? []) byName.set(sub.name, sub);
    if (spec.name.length > MAX_NAME) throw new Error(`command name '${spec.name}' is too long`);
    const key = bucketKey(spec.name.length, spec.name.charCodeAt(0));
    (byBytes[key] ??= []).push(spec);
  }
  const table: CommandTable = { lookup: (name) => byName.get(name), all: () => commands };
  byteIndexes.set(table, byBytes);
  return table;
}

/** ASCII case-insensitive: name (lower case) equals the bytes. Command names are ASCII. */
function nameEquals(name: string, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** The top-level command named by argv[0] (never a "container|sub" name), case-insensitively. */
function lookupCommand(name: Buffer, table: CommandTable): CommandSpec | undefined {
  if (table !== lastTable) {
    lastTable = table;
    lastIndex = byteIndexes.get(table);
  }
  const index = lastIndex;
  if (index === undefined) {
    const lower = name.toString('latin1').toLowerCase();
    return lower.includes('|') ? undefined : table.lookup(lower);
  }
  if (name.length === 0 || name.length > MAX_NAME) return undefined;
  const bucket = index[bucketKey(name.length, name[0])];
  if (bucket === undefined) return undefined;
  for (let i = 0; i < bucket.length; i++) if (nameEquals(bucket[i].name, name)) return bucket[i];
  return undefined;
}

/** Redis's unknown-command line: the name and up to ~128 bytes of arguments, each quoted and followed by a space. */
function unknownCommand(argv: Buffer[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i].toString('latin1').slice(0, 128 - args.length)}' `;
  }
  const name = argv[0].toString('latin1').slice(0, 128);
  return `ERR unknown command '${name}', with args beginning with: ${args}`.replace(/[\r\n]/g, ' ');
}

function arityOk(arity: number, argc: number): boolean {
  return arity >= 0 ? argc === arity : argc >= -arity;
}

/** Resolves argv to the spec that runs it (a subcommand for a container), or an error line. */
function resolve(argv: Buffer[], table: CommandTable): CommandSpec | string {
  const spec = lookupCommand(argv[0], table);
  if (spec === undefined) return unknownCommand(argv);
  if (spec.subcommands === undefined || argv.length < 2) {
    return arityOk(spec.arity, argv.length) ? spec : ERR.wrongArity(spec.name);
  }
  const subName = argv[1].toString('latin1').toLowerCase();
  const sub = table.lookup(`${spec.name}|${subName}`);
  if (sub === undefined) {
    const shown = argv[1]
      .toString('latin1')
      .slice(0, 128)
      .replace(/[\r\n]/g, ' ');
    return `ERR unknown subcommand '${shown}'. Try ${spec.name.toUpperCase()} HELP.`;
  }
  return arityOk(sub.arity, argv.length) ? sub : ERR.wrongArity(sub.name);
}

const QUEUED = status('QUEUED');

/** What a RESP2 client in subscribed state may run. */
const ALLOWED_SUBSCRIBED = new Set([
  'ping',
  'subscribe',
  'ssubscribe',
  'unsubscribe',
  'sunsubscribe',
  'psubscribe',
  'punsubscribe',
  'quit',
  'reset',
]);

/** processCommand's refusal, naming the command by its full name ('client|list' for a subcommand). */
const subscribedOnly = (name: string): string =>
  `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in ` +
  'this context';

/**
 * Runs one request. Inside MULTI a command that passes these checks is queued (QUEUED) instead of run, and one
 * refused here marks the transaction failed, as Redis's rejectCommand does (transaction.ts).
 */
export function execute(argv: Buffer[], ctx: CommandContext): Reply {
  const resolved = resolve(argv, ctx.server.commands);
  const client = ctx.client;
  if (typeof resolved === 'string') return reject(ctx, argv, resolved);
  client.lastCommand = resolved.name;
  if (!client.authenticated && !resolved.flags.includes('no_auth') && ctx.server.requirePass() !== '') {
    return reject(ctx, argv, ERR.noAuth);
  }
  // A RESP2 client in subscribed state may only (un)subscribe, PING, QUIT or RESET (server.c processCommand);
  // RESP3 has no limit (replies and pushes are told apart there).
  if (client.pubsub?.active === true && client.resp === 2 && !ALLOWED_SUBSCRIBED.has(resolved.name)) {
    return reject(ctx, argv, subscribedOnly(resolved.name));
  }
  if (resolved.run === undefined) return reject(ctx, argv, ERR.wrongArity(resolved.name));
  if (client.transaction.queues(resolved)) {
    client.transaction.queue(resolved, argv);
    return QUEUED;
  }
  return call(resolved, argv, ctx);
}

/** server.c rejectCommand: a refused EXEC ends the transaction, in or out of MULTI, with EXECABORT. */
function reject(ctx: CommandContext, argv: Buffer[], message: string): Reply {
  const transaction = ctx.client.transaction;
  transaction.fail();
  if (argv[0].length !== 4 || argv[0].toString('latin1').toLowerCase() !== 'exec') return error(message);
  transaction.discard(ctx.store);
  // Redis's own messages for these refusals carry no code (its reply adds ERR); NOAUTH keeps its own.
  const reason = message.startsWith('ERR ') ? message.slice(4) : message;
  return error(`EXECABORT Transaction discarded because of: ${reason}`);
}

/** Runs a resolved command (at once, or queued by MULTI and now run by EXEC), its failures as replies. */
export function call(spec: CommandSpec, argv: Buffer[], ctx: CommandContext): Reply {
  ctx.server.counters?.commandProcessed();
  try {
    return spec.run!(argv, ctx);
  } catch (e) {
    if (e instanceof CommandError) return error(e.message);
    ctx.server.reportUnexpected(e, spec.name);
    return error(`ERR internal error while running '${spec.name}'`);
  }
}
