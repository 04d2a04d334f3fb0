// The arguments Redis 7.0 replaces by "(redacted)" before MONITOR and the slow log see a command
// (networking.c redactClientCommandArgument, called by the command itself as it parses): passwords. Pure:
// argv in, the argv to show out; knows commands by name only.

import type { CommandSpec } from './command.js';

const REDACTED = Buffer.from('(redacted)');

/** config.c's SENSITIVE_CONFIG settings: CONFIG SET redacts their values. */
const SENSITIVE_SETTINGS = new Set(['requirepass', 'masterauth', 'masteruser']);

/**
 * AUTH's username and password (when it has at most those two, else it fails as a syntax error unredacted),
 * HELLO's AUTH username and password (once its protover parsed: a refused protover returns before that), and
 * CONFIG SET's value of a password setting (once its arguments pair up, whatever else it refuses), and ACL
 * SETUSER's user and rules.
 */
export function redact(spec: CommandSpec, argv: Buffer[]): Buffer[] {
  if (spec.name === 'auth') return argv.length <= 3 ? argv.map((a, i) => (i === 0 ? a : REDACTED)) : argv;
  if (spec.name === 'config|set') return redactConfigSet(argv);
  // aclCommand redacts a SETUSER's user name and every rule (its passwords among them).
  if (spec.name === 'acl|setuser') return argv.map((a, i) => (i < 2 ? a : REDACTED));
  if (spec.name !== 'hello' || argv.length < 2) return argv;
  const protover = Number(argv[1].toString('latin1'));
  if (!/^-?\d+$/.test(argv[1].toString('latin1')) || protover < 2 || protover > 3) return argv;
  const out = argv.slice();
  for (let j = 2; j < out.length; j++) {
    const option = out[j].toString('latin1').toLowerCase();
    const more = out.length - 1 - j;
    if (option === 'auth' && more >= 2) {
      out[j + 1] = REDACTED;
      out[j + 2] = REDACTED;
      j += 2;
    } else if (option === 'setname' && more >= 1) {
      j += 1;
    } else {
      break; // HELLO answers a syntax error here and parses no further
    }
  }
  return out;
}

/** configSetCommand: every pair is looked at, even after one was refused, so no password shows. */
function redactConfigSet(argv: Buffer[]): Buffer[] {
  if (argv.length < 4 || argv.length % 2 !== 0) return argv;
  let out = argv;
  for (let i = 2; i < argv.length; i += 2) {
    if (!SENSITIVE_SETTINGS.has(argv[i].toString('latin1').toLowerCase())) continue;
    if (out === argv) out = argv.slice();
    out[i + 1] = REDACTED;
  }
  return out;
}
