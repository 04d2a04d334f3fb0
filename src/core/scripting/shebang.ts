// A script's shebang line, `#!lua flags=no-writes,allow-oom`, as Redis 7.0 reads it (eval.c
// evalExtractShebangFlags): which flags it declares, or why it is refused. A script without one runs in the
// compatibility mode of scripts before 7.0 (it may write, and is refused nothing up front). Pure.

/** script.c scripts_flags_def. */
const SCRIPT_FLAGS = [
  'no-writes',
  'allow-oom',
  'allow-stale',
  'no-cluster',
  'allow-cross-slot-keys',
] as const;
export type ScriptFlag = (typeof SCRIPT_FLAGS)[number];

export interface Shebang {
  /** null: no shebang (compatibility mode). */
  readonly flags: ReadonlySet<ScriptFlag> | null;
  /** Bytes before the line feed that ends the shebang (kept, so line numbers stay the user's). */
  readonly length: number;
}

/** The shebang of `body`, or the error Redis replies (without its ERR code). */
export function readShebang(body: Buffer): Shebang | { readonly error: string } {
  if (body.length < 2 || body[0] !== 0x23 || body[1] !== 0x21) return { flags: null, length: 0 };
  const end = body.indexOf(0x0a);
  if (end < 0) return { error: 'Invalid script shebang' };
  const parts = body
    .toString('latin1', 0, end)
    .split(/[ \t\r\v\f]+/)
    .filter((p) => p !== '');
  if (parts.length === 0) return { error: 'Invalid engine in script shebang' };
  if (parts[0] !== '#!lua') return { error: `Unexpected engine in script shebang: ${parts[0]}` };
  const flags = new Set<ScriptFlag>();
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return { error: `Unknown lua shebang option: ${part}` };
    // sdssplitlen: "flags=" alone is no flag at all; "a,,b" has an empty one, which is unknown.
    const names = part.length === 6 ? [] : part.slice(6).split(',');
    for (const name of names) {
      const flag = SCRIPT_FLAGS.find((f) => f === name);
      if (flag === undefined) return { error: `Unexpected flag in script shebang: ${name}` };
      flags.add(flag);
    }
  }
  return { flags, length: end };
}
