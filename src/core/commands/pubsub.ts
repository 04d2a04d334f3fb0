// The Pub/Sub family (redis.io/commands/?group=pubsub), with Redis 7.0's replies (pubsub.c): SUBSCRIBE,
// UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE (one confirmation per name: a push in RESP3,
// an array in RESP2, carrying the client's subscription count after it), PUBLISH, SPUBLISH (the number of clients
// that received the message, on every thread) and the PUBSUB container. Subscriptions and delivery are the
// hub's (pubsub/hub.ts); what a subscribed RESP2 client may still run is the executor's.

import type { ClientState, CommandContext, CommandSpec } from '../command.js';
import { CommandError, cString } from '../errors.js';
import { CHANNEL, PATTERN, SHARD, type PubSubHub, type SubscriptionKind } from '../pubsub/hub.js';
import { ClientSubscriptions, CollectingTarget } from '../pubsub/subscriber.js';
import { array, bulk, bulkString, integer, NIL, push, sequence, type Reply } from '../reply.js';
import { helpReply, subcommandBuilder } from './container.js';

function hubOf(ctx: CommandContext): PubSubHub {
  const hub = ctx.server.pubsub;
  if (hub === undefined) throw new CommandError('ERR Pub/Sub is not available on this server');
  return hub;
}

/** The client's subscriptions, made at its first subscribe (pushed to its session, or kept for a test). */
function subscriptionsOf(client: ClientState): ClientSubscriptions {
  client.pubsub ??= new ClientSubscriptions(client.pushTarget ?? new CollectingTarget());
  return client.pubsub;
}

interface Family {
  readonly kind: SubscriptionKind;
  readonly subscribe: Reply;
  readonly unsubscribe: Reply;
  /** The count a confirmation carries: channels + patterns, or shard channels alone (pubsubtype). */
  readonly count: (subs: ClientSubscriptions) => number;
  readonly names: (subs: ClientSubscriptions) => Map<string, Buffer>;
}

const channels: Family = {
  kind: CHANNEL,
  subscribe: bulkString('subscribe'),
  unsubscribe: bulkString('unsubscribe'),
  count: (subs) => subs.count,
  names: (subs) => subs.channels,
};
const patterns: Family = {
  kind: PATTERN,
  subscribe: bulkString('psubscribe'),
  unsubscribe: bulkString('punsubscribe'),
  count: (subs) => subs.count,
  names: (subs) => subs.patterns,
};
const shardChannels: Family = {
  kind: SHARD,
  subscribe: bulkString('ssubscribe'),
  unsubscribe: bulkString('sunsubscribe'),
  count: (subs) => subs.shardChannels.size,
  names: (subs) => subs.shardChannels,
};

/** The count after each name: the count before, moved by one for each name that changed so far. */
function confirmations(
  family: Reply,
  names: readonly Buffer[],
  changed: boolean[],
  before: number,
  step: 1 | -1,
) {
  let count = before;
  return names.map((name, i) => {
    if (changed[i]) count += step;
    return push([family, bulk(name), integer(count)]);
  });
}

/** (P|S)SUBSCRIBE name [name ...]: one confirmation per name, in order; the client is in subscribed state. */
function subscribe(family: Family) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    // Inside EXEC Redis sets CLIENT_DENY_BLOCKING: only SSUBSCRIBE minds it (SUBSCRIBE keeps its old leniency).
    if (family.kind === SHARD && ctx.client.transaction.executing) {
      throw new CommandError("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    }
    const hub = hubOf(ctx);
    const subs = subscriptionsOf(ctx.client);
    const names = argv.slice(1);
    const before = family.count(subs);
    const changed = hub.change(subs, family.kind, names, true);
    subs.active = true;
    return sequence(confirmations(family.subscribe, names, changed, before, 1));
  };
}

/**
 * (P|S)UNSUBSCRIBE [name ...]: one confirmation per name; without names, one per subscription of the family
 * (in the order they were made), or a single one with a null name when there is none.
 */
function unsubscribe(family: Family) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const subs = ctx.client.pubsub;
    const names =
      argv.length > 1 ? argv.slice(1) : subs === undefined ? [] : [...family.names(subs).values()];
    if (names.length === 0) {
      return push([family.unsubscribe, NIL, integer(subs === undefined ? 0 : family.count(subs))]);
    }
    if (subs === undefined)
      return sequence(names.map((name) => push([family.unsubscribe, bulk(name), integer(0)])));
    const before = family.count(subs);
    const changed = hubOf(ctx).change(subs, family.kind, names, false);
    if (subs.total === 0) subs.active = false;
    return sequence(confirmations(family.unsubscribe, names, changed, before, -1));
  };
}

/** (S)PUBLISH channel message: how many clients received it. */
function publish(kind: typeof CHANNEL | typeof SHARD) {
  return (argv: Buffer[], ctx: CommandContext): Reply => integer(hubOf(ctx).publish(kind, argv[1], argv[2]));
}

/** networking.c addReplySubcommandSyntaxError, naming the subcommand as the client typed it. */
const subcommandSyntax = (argv: Buffer[]): CommandError =>
  new CommandError(
    `ERR unknown subcommand or wrong number of arguments for '${cString(argv[1], 128)}'. Try PUBSUB HELP.`,
  );

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]. */
function names(kind: typeof CHANNEL | typeof SHARD) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    if (argv.length > 3) throw subcommandSyntax(argv);
    return array(
      hubOf(ctx)
        .names(kind, argv.length === 3 ? argv[2] : null)
        .map(bulk),
    );
  };
}

/** PUBSUB NUMSUB / SHARDNUMSUB [name ...]: an array of name, count pairs (not a map, even in RESP3). */
function numsub(kind: typeof CHANNEL | typeof SHARD) {
  return (argv: Buffer[], ctx: CommandContext): Reply => {
    const asked = argv.slice(2);
    const counts = hubOf(ctx).subscribers(kind, asked);
    return array(asked.flatMap((name, i) => [bulk(name), integer(counts[i])]));
  };
}

const HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

const sub = subcommandBuilder('pubsub', 'pubsub', '2.8.0', {
  help: '6.2.0',
  shardchannels: '7.0.0',
  shardnumsub: '7.0.0',
});
const introspection = ['pubsub', 'loading', 'stale'] as const;
const subscribing = ['pubsub', 'noscript', 'loading', 'stale'] as const;
const publishing = ['pubsub', 'loading', 'stale', 'fast'] as const;

/** PUBLISH and SPUBLISH are CMD_MAY_REPLICATE in Redis (a message is propagated): CLIENT PAUSE WRITE holds them. */
const propagated = (): boolean => true;

export const pubsubCommands: readonly CommandSpec[] = [
  {
    name: 'subscribe',
    syntax: 'SUBSCRIBE channel [channel ...]',
    summary: 'Listens for messages published to channels.',
    group: 'pubsub',
    since: '2.0.0',
    arity: -2,
    flags: subscribing,
    keys: [0, 0, 0],
    run: subscribe(channels),
  },
  {
    name: 'unsubscribe',
    syntax: 'UNSUBSCRIBE [channel [channel ...]]',
    summary: 'Stops listening to messages posted to channels.',
    group: 'pubsub',
    since: '2.0.0',
    arity: -1,
    flags: subscribing,
    keys: [0, 0, 0],
    run: unsubscribe(channels),
  },
  {
    name: 'psubscribe',
    syntax: 'PSUBSCRIBE pattern [pattern ...]',
    summary: 'Listens for messages published to channels that match one or more patterns.',
    group: 'pubsub',
    since: '2.0.0',
    arity: -2,
    flags: subscribing,
    keys: [0, 0, 0],
    run: subscribe(patterns),
  },
  {
    name: 'punsubscribe',
    syntax: 'PUNSUBSCRIBE [pattern [pattern ...]]',
    summary: 'Stops listening to messages published to channels that match one or more patterns.',
    group: 'pubsub',
    since: '2.0.0',
    arity: -1,
    flags: subscribing,
    keys: [0, 0, 0],
    run: unsubscribe(patterns),
  },
  {
    name: 'ssubscribe',
    syntax: 'SSUBSCRIBE shardchannel [shardchannel ...]',
    summary: 'Listens for messages published to shard channels.',
    group: 'pubsub',
    since: '7.0.0',
    arity: -2,
    flags: subscribing,
    keys: [1, -1, 1],
    notKeys: true,
    run: subscribe(shardChannels),
  },
  {
    name: 'sunsubscribe',
    syntax: 'SUNSUBSCRIBE [shardchannel [shardchannel ...]]',
    summary: 'Stops listening to messages posted to shard channels.',
    group: 'pubsub',
    since: '7.0.0',
    arity: -1,
    flags: subscribing,
    keys: [1, -1, 1],
    notKeys: true,
    run: unsubscribe(shardChannels),
  },
  {
    name: 'publish',
    syntax: 'PUBLISH channel message',
    summary: 'Posts a message to a channel.',
    group: 'pubsub',
    since: '2.0.0',
    arity: 3,
    flags: publishing,
    mayReplicate: propagated,
    keys: [0, 0, 0],
    run: publish(CHANNEL),
  },
  {
    name: 'spublish',
    syntax: 'SPUBLISH shardchannel message',
    summary: 'Post a message to a shard channel',
    group: 'pubsub',
    since: '7.0.0',
    arity: 3,
    flags: publishing,
    mayReplicate: propagated,
    keys: [1, 1, 1],
    notKeys: true,
    run: publish(SHARD),
  },
  {
    name: 'pubsub',
    syntax: 'PUBSUB subcommand [argument ...]',
    summary: 'A container for Pub/Sub commands.',
    group: 'pubsub',
    since: '2.8.0',
    arity: -2,
    flags: [],
    keys: [0, 0, 0],
    subcommands: [
      sub(
        'help',
        'PUBSUB HELP',
        'Returns helpful text about the different subcommands.',
        2,
        ['loading', 'stale'],
        () => helpReply('pubsub', HELP),
      ),
      sub(
        'channels',
        'PUBSUB CHANNELS [pattern]',
        'Returns the active channels.',
        -2,
        introspection,
        names(CHANNEL),
      ),
      sub(
        'shardchannels',
        'PUBSUB SHARDCHANNELS [pattern]',
        'Returns the active shard channels.',
        -2,
        introspection,
        names(SHARD),
      ),
      sub(
        'shardnumsub',
        'PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]',
        'Returns the count of subscribers of shard channels.',
        -2,
        introspection,
        numsub(SHARD),
      ),
      sub(
        'numpat',
        'PUBSUB NUMPAT',
        'Returns a count of unique pattern subscriptions.',
        2,
        introspection,
        (_argv, ctx) => integer(hubOf(ctx).count(PATTERN)),
      ),
      sub(
        'numsub',
        'PUBSUB NUMSUB [channel [channel ...]]',
        'Returns a count of subscribers to channels.',
        -2,
        introspection,
        numsub(CHANNEL),
      ),
    ],
  },
];
