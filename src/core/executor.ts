// argv -> Reply. Looks the command up, checks existence, arity and authentication once, centrally, in the
// order Redis 7's processCommand does (existence, arity, then NOAUTH), and maps failures to error replies.
// A CommandError becomes its error reply; anything else is a bug: reported once and answered with -ERR, so
// the connection (and on the pool, the worker thread) lives on. Knows nothing of transports or threads.

import type { CommandContext, CommandSpec, CommandTable } from './command.js';
import { CommandError, ERR } from './errors.js';
import { error, type Reply } from './reply.js';

/** Builds the lookup structure once; `commands` is the explicit list in commands/table.ts. */
export function createCommandTable(commands: readonly CommandSpec[]): CommandTable {
  const byName = new Map<string, CommandSpec>();
  for (const spec of commands) {
    if (byName.has(spec.name)) throw new Error(`command '${spec.name}' is declared twice`);
    byName.set(spec.name, spec);
    for (const sub of spec.subcommands ?? []) byName.set(sub.name, sub);
  }
  return { lookup: (name) => byName.get(name), all: () => commands };
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
  const name = argv[0].toString('latin1').toLowerCase();
  const spec = table.lookup(name);
  if (spec === undefined || name.includes('|')) return unknownCommand(argv);
  if (spec.subcommands === undefined || argv.length < 2) {
    return arityOk(spec.arity, argv.length) ? spec : ERR.wrongArity(spec.name);
  }
  const subName = argv[1].toString('latin1').toLowerCase();
  const sub = table.lookup(`${spec.name}|${subName}`);
  if (sub === undefined) {
    const shown = argv[1].toString('latin1').slice(0, 128).replace(/[\r\n]/g, ' ');
    return `ERR unknown subcommand '${shown}'. Try ${spec.name.toUpperCase()} HELP.`;
  }
  return arityOk(sub.arity, argv.length) ? sub : ERR.wrongArity(sub.name);
}

export function execute(argv: Buffer[], ctx: CommandContext): Reply {
  const resolved = resolve(argv, ctx.server.commands);
  if (typeof resolved === 'string') return error(resolved);
  const client = ctx.client;
  client.lastCommand = resolved.name;
  client.lastInteraction = ctx.server.clock();
  if (!client.authenticated && !resolved.flags.includes('no_auth') && ctx.server.requirePass() !== '') {
    return error(ERR.noAuth);
  }
  if (resolved.run === undefined) return error(ERR.wrongArity(resolved.name));
  try {
    return resolved.run(argv, ctx);
  } catch (e) {
    if (e instanceof CommandError) return error(e.message);
    ctx.server.reportUnexpected(e, resolved.name);
    return error(`ERR internal error while running '${resolved.name}'`);
  }
}
