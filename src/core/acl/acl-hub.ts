// This thread's side of ACL: its parsed copy of the users every thread shares (a SharedText of "<incarnation>
// user <name> <rules>" lines), kept current by sync() (one shared load while nothing changed), and the clients
// this thread serves. After any change, from this thread or another, each client is checked again: one whose user
// is gone, or was replaced (ACL LOAD, DELUSER then SETUSER: a new incarnation), is disconnected, as Redis frees
// the clients of a freed user; every other gets its "unrestricted" flag again, which is all the executor reads
// for a client whose user allows everything. A SETUSER that takes channels away (channel-revocation.ts) cuts the
// subscribers it must on this thread at once and is mailed to every other thread (deps.mailRevocation), whose
// hub gets it in channelsRevoked: each thread cuts its own, in order with the messages published around the
// change. Knows nothing of commands or transports.

import type { ClientState } from '../command.js';
import { AclLog } from './acl-log.js';
import { type ChannelRevocation, channelRevocation, revokes } from './channel-revocation.js';
import { SharedText } from './shared-text.js';
import { DEFAULT_PUBSUB_DEFAULT, type PubsubDefault, type User } from './user.js';
import { AclUsers } from './users.js';

/** The buffers a thread attaches to. */
export interface AclHandles {
  readonly users: SharedArrayBuffer;
  readonly log: SharedArrayBuffer;
}

/** The default user keeps one incarnation forever: Redis copies rules into its one DefaultUser. */
const DEFAULT_INCARNATION = 1;

function serialise(users: AclUsers): string {
  return users
    .list()
    .map((u) => `${u.incarnation} user ${u.name} ${u.describe()}`)
    .join('\n');
}

function parse(text: string): AclUsers {
  const lines = text === '' ? [] : text.split('\n');
  const incarnations = new Map<string, number>();
  const plain = lines.map((line) => {
    const space = line.indexOf(' ');
    const rest = line.slice(space + 1);
    incarnations.set(rest.split(' ')[1], Number(line.slice(0, space)));
    return rest;
  });
  // Every line says its channels ("&*" or "resetchannels ..."), so no setting shapes what is parsed here.
  const users = AclUsers.fromAclFile(plain.join('\n'), 'shared', DEFAULT_PUBSUB_DEFAULT);
  if (!(users instanceof AclUsers)) throw new Error(`the shared ACL users do not parse: ${users.error}`);
  for (const user of users.list()) user.incarnation = incarnations.get(user.name) ?? 0;
  return users;
}

/** What the hub needs of the thread it serves. */
export interface AclHubDeps {
  /** Disconnects a client of this thread (not the one being served: see revoke()). */
  kill(id: number): void;
  /**
   * A client of this thread is being disconnected: its subscriptions end now, as Redis's freeClient ends them
   * inside the command that revoked it, not when the transport has closed it.
   */
  release?(client: ClientState): void;
  /**
   * Hands the revocation, or null when users were removed or replaced, to every other thread's hub (mailed),
   * wakes them, and returns once those serving subscribers have applied it (or a bound passed); absent: one
   * thread.
   */
  mailRevocation?(revocation: ChannelRevocation | null): void;
}

export class AclHub {
  private readonly shared: SharedText;
  readonly log: AclLog;
  private users: AclUsers;
  /** The shared users' version last read (reload). */
  private seen = -1;
  private readonly clients = new Set<ClientState>();
  private defaultNeedsAuth = false;
  /** The client whose request runs now on this thread: it is closed after its reply instead of at once. */
  private serving: ClientState | null = null;

  private constructor(
    handles: AclHandles,
    private readonly deps: AclHubDeps,
  ) {
    this.shared = SharedText.attach(handles.users, 'ACL users');
    this.log = new AclLog(SharedText.attach(handles.log, 'ACL log'));
    this.users = this.reload();
  }

  /** Reads the shared users (with the version read with them, now seen) and the default user's flags from them. */
  private reload(): AclUsers {
    const { version, text } = this.shared.locked(() => ({
      version: this.shared.version,
      text: this.shared.read(),
    }));
    this.users = parse(text);
    this.seen = version;
    this.readDefault();
    return this.users;
  }

  /** The shared state for a new server holding `users` (default: Redis's default user, `requirepass` its password). */
  static create(requirepass: string, users: AclUsers = AclUsers.withPassword(requirepass)): AclHandles {
    const text = SharedText.create('', 'ACL users');
    users.defaultUser.incarnation = text.nextNumber(); // DEFAULT_INCARNATION: the first number drawn
    for (const user of users.list()) if (user.incarnation === 0) user.incarnation = text.nextNumber();
    text.write(serialise(users));
    return { users: text.buffer, log: SharedText.create('', 'ACL log').buffer };
  }

  static attach(handles: AclHandles, deps: AclHubDeps): AclHub {
    return new AclHub(handles, deps);
  }

  /** Reads the users again if another thread changed them, and checks this thread's clients. */
  sync(): void {
    if (this.shared.version === this.seen) return;
    this.reload();
    this.checkClients();
  }

  /**
   * Changes the users under the shared lock: `change` works on the current users and returns its result; when
   * it reports a change (`changed`), the users are written back for every thread, new users get an incarnation,
   * and this thread's clients are checked at once (the others' at their next read).
   */
  update<R>(change: (users: AclUsers) => { result: R; changed: boolean }): R {
    const outcome = this.shared.locked(() => {
      if (this.shared.version !== this.seen) {
        this.users = parse(this.shared.read());
        this.seen = this.shared.version;
      }
      const before = this.users.list().map((u) => [u.name, u.incarnation] as const);
      const done = change(this.users);
      let gone = false;
      if (done.changed) {
        for (const user of this.users.list())
          if (user.incarnation === 0) user.incarnation = this.shared.nextNumber();
        this.shared.write(serialise(this.users));
        this.seen = this.shared.version;
        gone = before.some(([name, incarnation]) => this.users.get(name)?.incarnation !== incarnation);
      }
      return { ...done, gone };
    });
    this.readDefault();
    this.checkClients();
    // Users removed or replaced (DELUSER, LOAD): the other threads' subscribers of theirs leave with the reply.
    if (outcome.gone) this.deps.mailRevocation?.(null);
    return outcome.result;
  }

  /**
   * ACL SETUSER (ACLStringSetUser, a new user or selector made under `pubsubDefault`): the error text, or null
   * once the user is changed; then, when the change takes channels away, the subscribers it cuts are cut on
   * every thread (ACLKillPubsubClientsIfNeeded): this thread's now, the others' as soon as they take their mail.
   */
  setUser(name: string, args: readonly Buffer[], pubsubDefault: PubsubDefault): string | null {
    const outcome = this.update((users) => {
      const result = users.setUser(name, args, pubsubDefault);
      return { result, changed: !('error' in result) };
    });
    if ('error' in outcome) return outcome.error;
    const revocation = outcome.before === null ? null : channelRevocation(outcome.before, outcome.after);
    if (revocation !== null) {
      this.channelsRevoked(revocation);
      this.deps.mailRevocation?.(revocation);
    }
    return null;
  }

  /** What another thread mailed (mailRevocation): the users read again, then the revocation's cuts, if any. */
  mailed(revocation: ChannelRevocation | null): void {
    this.sync();
    if (revocation !== null) this.channelsRevoked(revocation);
  }

  /** A SETUSER on any thread took channels away: this thread's subscribers it cuts are disconnected. */
  channelsRevoked(revocation: ChannelRevocation): void {
    for (const client of this.clients) {
      if (client.user !== revocation.user || client.userIncarnation !== revocation.incarnation) continue;
      if (revokes(revocation, client.pubsub)) this.revoke(client);
    }
  }

  /** acl.c ACLUpdateDefaultUserPassword: requirepass "" makes the default user nopass, else its one password. */
  setDefaultPassword(password: string): void {
    this.update((users) => {
      const user = users.defaultUser;
      user.applyRule(Buffer.from('resetpass'));
      user.applyRule(password === '' ? Buffer.from('nopass') : Buffer.from(`>${password}`, 'utf8'));
      return { result: undefined, changed: true };
    });
  }

  /** The users as this thread last read them (call sync() first where another thread's change matters). */
  current(): AclUsers {
    return this.users;
  }

  user(name: string): User | undefined {
    return this.users.get(name);
  }

  /** networking.c authRequired's server half: the default user has a password or is off. */
  get authRequired(): boolean {
    return this.defaultNeedsAuth;
  }

  private readDefault(): void {
    const d = this.users.defaultUser;
    this.defaultNeedsAuth = !d.nopass || !d.enabled;
  }

  // ---- This thread's clients ----

  /** A new connection: the default user; authenticated at once if that needs no password (createClient). */
  connected(client: ClientState): void {
    this.sync();
    this.clients.add(client);
    client.user = 'default';
    client.userIncarnation = DEFAULT_INCARNATION;
    client.aclUnrestricted = this.users.defaultUser.unrestricted;
    client.authenticated = !this.defaultNeedsAuth;
    client.aclRevoked = false;
  }

  disconnected(client: ClientState): void {
    this.clients.delete(client);
  }

  /** The client authenticated as `user` (AUTH, HELLO AUTH). */
  authenticatedAs(client: ClientState, user: User): void {
    client.authenticated = true;
    client.user = user.name;
    client.userIncarnation = user.incarnation;
    client.aclUnrestricted = user.unrestricted;
  }

  /** The request of `client` runs now (null: none): a change it makes closes it after its reply. */
  setServing(client: ClientState | null): void {
    this.serving = client;
  }

  private checkClients(): void {
    for (const client of this.clients) {
      const user = this.users.get(client.user);
      if (user === undefined || user.incarnation !== client.userIncarnation) {
        this.revoke(client);
      } else {
        client.aclUnrestricted = user.unrestricted;
      }
    }
  }

  /** ACLFreeUserAndKillClients: back to the default user, unauthenticated, and disconnected. */
  private revoke(client: ClientState): void {
    this.clients.delete(client);
    client.user = 'default';
    client.userIncarnation = DEFAULT_INCARNATION;
    client.aclUnrestricted = false;
    client.authenticated = false;
    client.aclRevoked = true;
    this.deps.release?.(client);
    if (client === this.serving) client.closeAfterReply = true;
    else this.deps.kill(client.id);
  }
}
