// Turns a command's redis.io syntax line ("SET key value [NX | XX] [EX seconds | KEEPTTL]") into the argument
// tree COMMAND DOCS reports (name, type, token, flags, nested arguments), so redis-cli 7 can build its hints
// from our own table instead of a second, hand-kept copy. Pure: a string in, a tree out; knows no command.
// Grammar of the syntax lines: WORD (upper case: a literal token), name, [optional], <required choice>, a | b,
// and "..." for repetition, where "x [x ...]" is Redis's way of writing "one or more x".

export interface ArgDoc {
  readonly name: string;
  readonly type: string;
  readonly token?: string;
  readonly displayText?: string;
  readonly flags: readonly ('optional' | 'multiple')[];
  readonly arguments?: readonly ArgDoc[];
}

type Node =
  { kind: 'word'; text: string } | { kind: 'group'; optional: boolean; options: Node[][] } | { kind: 'more' };

function tokenize(syntax: string): string[] {
  return syntax.match(/\.\.\.|[[\]<>|]|[^\s[\]<>|]+/g) ?? [];
}

/** Parses a sequence until one of the closing tokens; returns the alternatives (split on |). */
function parseAlternatives(tokens: string[], pos: { i: number }, close: string | undefined): Node[][] {
  const options: Node[][] = [[]];
  while (pos.i < tokens.length) {
    const t = tokens[pos.i++];
    if (t === close) return options;
    if (t === '|') options.push([]);
    else if (t === '[' || t === '<') {
      const inner = parseAlternatives(tokens, pos, t === '[' ? ']' : '>');
      options[options.length - 1].push({ kind: 'group', optional: t === '[', options: inner });
    } else if (t === '...') options[options.length - 1].push({ kind: 'more' });
    else options[options.length - 1].push({ kind: 'word', text: t });
  }
  return options;
}

const KEY_NAMES = new Set(['key', 'destination', 'source', 'newkey']);
const INTEGER_NAMES =
  /^(seconds|milliseconds|unix-time-seconds|unix-time-milliseconds|increment|decrement|offset|start|end|count|cursor|index|client-id|protover|numkeys|timeout)$/;

function typeOf(name: string): string {
  if (KEY_NAMES.has(name)) return 'key';
  if (INTEGER_NAMES.test(name)) return 'integer';
  if (name === 'pattern') return 'pattern';
  return 'string';
}

const isToken = (text: string): boolean => /^[A-Z][A-Z0-9_-]*$/.test(text);

/** Same argument names: "ID client-id [client-id ...]" repeats the value, not the token before it. */
function sameShape(a: readonly ArgDoc[], b: readonly ArgDoc[]): boolean {
  return a.length === b.length && a.every((x, i) => x.name === b[i].name);
}

const withFlag = (arg: ArgDoc, flag: 'optional' | 'multiple'): ArgDoc =>
  arg.flags.includes(flag) ? arg : { ...arg, flags: [...arg.flags, flag] };

function asOne(args: ArgDoc[]): ArgDoc {
  if (args.length === 1) return args[0];
  return { name: args.map((a) => a.name).join('-'), type: 'block', flags: [], arguments: args };
}

/** Converts one sequence of nodes to arguments: "TOKEN value" pairs fold into one argument with a token. */
function convertSequence(nodes: readonly Node[]): ArgDoc[] {
  const out: ArgDoc[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (node.kind === 'more') {
      if (out.length > 0) out[out.length - 1] = withFlag(out[out.length - 1], 'multiple');
      continue;
    }
    if (node.kind === 'word') {
      const next = nodes[i + 1];
      if (isToken(node.text) && next?.kind === 'word' && !isToken(next.text)) {
        out.push({
          name: next.text,
          type: typeOf(next.text),
          token: node.text,
          displayText: next.text,
          flags: [],
        });
        i++;
      } else if (isToken(node.text)) {
        out.push({ name: node.text.toLowerCase(), type: 'pure-token', token: node.text, flags: [] });
      } else {
        out.push({ name: node.text, type: typeOf(node.text), displayText: node.text, flags: [] });
      }
      continue;
    }
    const options = node.options.map((option) => convertSequence(option));
    // "x [x ...]": the optional repeat of what precedes it makes that one argument "multiple".
    const repeated = options.length === 1 ? options[0] : [];
    if (node.optional && repeated.length > 0 && repeated[repeated.length - 1].flags.includes('multiple')) {
      const body = [...repeated.slice(0, -1), { ...repeated[repeated.length - 1], flags: [] }];
      const before = out.slice(out.length - body.length);
      if (sameShape(before, body)) {
        out.splice(out.length - body.length, body.length, withFlag(asOne(before), 'multiple'));
        continue;
      }
    }
    const arg =
      options.length === 1
        ? asOne(options[0])
        : {
            name: options.map((o) => asOne(o).name).join('-'),
            type: 'oneof',
            flags: [],
            arguments: options.map(asOne),
          };
    out.push(node.optional ? withFlag(arg, 'optional') : arg);
  }
  return out;
}

/** The arguments of a command from its syntax line; `nameWords` leading words (the command name) are skipped. */
export function argumentsFromSyntax(syntax: string, nameWords: number): ArgDoc[] {
  const tokens = tokenize(syntax).slice(nameWords);
  return convertSequence(parseAlternatives(tokens, { i: 0 }, undefined)[0]);
}
