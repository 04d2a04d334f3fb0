// A selector's rules as ACL LIST and ACL GETUSER print them (acl.c ACLDescribeSelectorCommandRules,
// ACLDescribeSelector): "+@all" or "-@all", then the categories that fit the bitmap best, tried greedily in
// ACL_CATEGORIES's order, then the single commands still differing and the allowed first arguments. The rules
// are replayed on a scratch selector as they are chosen, so the text always rebuilds the same bitmap. Redis
// walks its commands in its dict's order, which its random hash seed changes from run to run; here they come in
// the reference's order. Knows selectors and the command universe only.

import { ACL_CATEGORIES, type AclCommand, CommandUniverse } from './command-universe.js';
import { ACL_ALL, ACL_READ, type KeyPattern, Selector } from './selector.js';

function countCategory(selector: Selector, bit: number): { on: number; off: number } {
  let on = 0;
  let off = 0;
  for (const command of CommandUniverse.get().byId) {
    if ((command.categories & bit) === 0) continue;
    if (selector.allowed[command.id] === 1) on++;
    else off++;
  }
  return { on, off };
}

/** The command rules of a selector, e.g. "-@all +@hash -hdel +get". */
export function describeCommandRules(selector: Selector): string {
  const rules: string[] = [];
  const additive = !selector.future;
  const fake = new Selector(false);
  rules.push(additive ? '-@all' : '+@all');
  fake.applyRule(Buffer.from(additive ? '-@all' : '+@all'));
  const temp = new Selector(false);
  temp.allowed.set(selector.allowed);
  const applied = new Set<number>();
  for (;;) {
    let best = -1;
    let minDiff = Number.MAX_SAFE_INTEGER;
    let maxSame = 0;
    for (let j = 0; j < ACL_CATEGORIES.length; j++) {
      if (applied.has(j)) continue;
      const { on, off } = countCategory(temp, 1 << j);
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
        best = j;
        minDiff = diff;
        maxSame = same;
      }
    }
    if (best === -1) break;
    const bit = 1 << best;
    rules.push(`${additive ? '+' : '-'}@${ACL_CATEGORIES[best]}`);
    fake.changeCategory(bit, additive);
    temp.changeCategory(bit, !additive);
    applied.add(best);
  }
  describeSingleCommands(selector, fake, CommandUniverse.get().topLevel, rules);
  return rules.join(' ');
}

/** ACLDescribeSelectorCommandRulesSingleCommands. */
function describeSingleCommands(
  selector: Selector,
  fake: Selector,
  commands: readonly AclCommand[],
  rules: string[],
): void {
  for (const command of commands) {
    const userBit = selector.allowed[command.id] === 1;
    if (userBit !== (fake.allowed[command.id] === 1)) {
      rules.push(`${userBit ? '+' : '-'}${command.fullName}`);
      fake.changePerm(command, userBit);
    }
    if (command.subcommands.length > 0) describeSingleCommands(selector, fake, command.subcommands, rules);
    const firstArgs = selector.firstArgs?.get(command.id);
    if (!userBit && firstArgs !== undefined) {
      for (const arg of firstArgs) rules.push(`+${command.fullName}|${arg}`);
    }
  }
}

/** sdsCatPatternString: "~k*", "%R~k*" or "%W~k*". */
export function describeKeyPattern(pattern: KeyPattern): string {
  const prefix = pattern.flags === ACL_ALL ? '~' : pattern.flags === ACL_READ ? '%R~' : '%W~';
  return prefix + pattern.pattern.toString('latin1');
}

/** ACLDescribeSelector: keys, channels, then command rules. */
export function describeSelector(selector: Selector): string {
  const parts: string[] = [];
  if (selector.allKeys) parts.push('~*');
  else for (const p of selector.patterns) parts.push(describeKeyPattern(p));
  if (selector.allChannels) parts.push('&*');
  else {
    parts.push('resetchannels');
    for (const c of selector.channels) parts.push(`&${c.toString('latin1')}`);
  }
  parts.push(describeCommandRules(selector));
  return parts.join(' ');
}
