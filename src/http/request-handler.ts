// One HTTP request -> one response, for a client whose command context lives as long as its connection (as a
// RESP client's does: SELECT, MULTI/EXEC and HELLO carry over between requests on one keep-alive connection).
// Routes /healthz and /metrics, checks the password, turns Webdis's URL scheme into argv, runs it through the
// same executor as every RESP client and writes the reply in the format the URL asked for. Refuses what
// cannot be an HTTP response: commands that stream (SUBSCRIBE, MONITOR) or block.

import { performance } from 'node:perf_hooks';
import type { ClientState } from '../core/command.js';
import { ClientContexts } from '../core/command-context.js';
import { execute } from '../core/executor.js';
import type { ByteWriter } from '../core/reply-encoding.js';
import type { SessionCore } from '../core/session.js';
import { Transaction } from '../core/transaction.js';
import { authorizeRequest, authorized } from './auth.js';
import { parseCommandPath, type CommandRequest } from './command-path.js';
import type { HttpRequest } from './request-parser.js';
import { jsonBody, rawBody, valueBody } from './reply-body.js';
import { writeResponse, writeTextResponse } from './response.js';
import type { HttpMetrics } from './metrics.js';

/**
 * Commands an HTTP request/response cannot carry: they stream messages until told to stop (Webdis streams
 * SUBSCRIBE as chunked JSON; a RESP connection does that better) or wait for another client (blocking pops).
 */
const REFUSED = new Map<string, string>([
  ...['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe', 'monitor'].map(
    (name): [string, string] => [name, 'streams messages'],
  ),
  ...['blpop', 'brpop', 'brpoplpush', 'blmove', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop', 'wait'].map(
    (name): [string, string] => [name, 'blocks'],
  ),
]);

const ALLOW = 'Allow: GET, POST, PUT, OPTIONS';
const UNAUTHORIZED = ['WWW-Authenticate: Basic realm="redis-lite", charset="UTF-8"'];

/** What every connection's handler shares: the thread's core and the HTTP figures. */
export interface HandlerHost {
  sessionCore(): SessionCore;
  readonly metrics: HttpMetrics;
}

export interface ClientIdentity {
  readonly id: number;
  readonly addr: string;
  readonly laddr: string;
}

export class RequestHandler {
  readonly client: ClientState;
  private readonly contexts: ClientContexts;

  constructor(
    private readonly host: HandlerHost,
    identity: ClientIdentity,
  ) {
    const core = host.sessionCore();
    const now = core.server.clock();
    this.client = {
      ...identity,
      name: '',
      db: 0,
      authenticated: true, // decided per request (see handle): HTTP has no session to AUTH in
      user: 'default',
      userIncarnation: 1,
      aclUnrestricted: true,
      resp: 2,
      transaction: new Transaction(),
      closeAfterReply: false,
      lastCommand: 'NULL',
      createdAt: now,
      lastInteraction: now,
    };
    this.contexts = new ClientContexts(core.store, this.client, core.server);
  }

  /** The connection is gone: let go of what the client holds in shared memory (its watched keys). */
  end(): void {
    this.client.transaction.discard(this.contexts.current().store);
    if (this.client.pubsub !== undefined) this.contexts.server.pubsub?.removeClient(this.client.pubsub);
    this.contexts.server.acl?.disconnected(this.client);
  }

  /** Writes the response to `request`; returns whether the connection must close after it. */
  handle(request: HttpRequest, out: ByteWriter): boolean {
    const started = performance.now();
    const status = this.respond(request, out);
    this.host.metrics.observe(status, (performance.now() - started) / 1000);
    return !request.keepAlive || this.client.closeAfterReply;
  }

  /** Writes the response; returns its status. */
  private respond(request: HttpRequest, out: ByteWriter): number {
    const { method, target, keepAlive } = request;
    const server = this.contexts.server;
    if (method === 'OPTIONS') {
      writeResponse(out, { status: 200, keepAlive, headers: [ALLOW, CORS_PREFLIGHT] }, '');
      return 200;
    }
    if (method !== 'GET' && method !== 'POST' && method !== 'PUT') {
      writeTextResponse(out, 405, `method ${method} is not served: use GET, POST or PUT`, keepAlive, [ALLOW]);
      return 405;
    }
    if (!target.startsWith('/')) {
      writeTextResponse(out, 400, 'the request target must be a path: /COMMAND/arg1/arg2', keepAlive);
      return 400;
    }
    if (method === 'GET' && target === '/healthz') {
      writeTextResponse(out, 200, 'OK', keepAlive);
      return 200;
    }
    const acl = server.acl;
    const allowed =
      acl === undefined
        ? authorized(request.authorization, server.requirePass())
        : authorizeRequest(acl, this.client, request.authorization);
    if (!allowed) {
      const message =
        request.authorization === null
          ? 'authentication required: send the password as HTTP Basic (user "default" or empty) or Bearer'
          : 'invalid password';
      writeTextResponse(out, 401, message, keepAlive, UNAUTHORIZED);
      return 401;
    }
    if (method === 'GET' && target === '/metrics') {
      const text = this.host.metrics.render(this.contexts.current().store, server);
      writeResponse(
        out,
        { status: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', keepAlive },
        text,
      );
      return 200;
    }
    // POST carries "COMMAND/arg..." in its body (a leading "/" tolerated); GET and PUT in the path, PUT's body
    // being the last argument.
    const parsed =
      method === 'POST'
        ? parseCommandPath(request.body.toString('latin1').replace(/^\/|\r?\n$/g, ''))
        : parseCommandPath(target.slice(1), method === 'PUT' ? request.body : null);
    if (typeof parsed === 'string') {
      writeTextResponse(out, 400, parsed, keepAlive);
      return 400;
    }
    return this.run(parsed, keepAlive, out);
  }

  private run(command: CommandRequest, keepAlive: boolean, out: ByteWriter): number {
    const verb = command.argv[0].toString('latin1');
    const refusal = REFUSED.get(verb.toLowerCase());
    if (refusal !== undefined) {
      const message = `${verb.toUpperCase()} ${refusal}, which an HTTP response cannot carry: use a RESP connection`;
      writeTextResponse(out, 403, message, keepAlive);
      return 403;
    }
    const client = this.client;
    const databases = this.contexts.current().store.databases;
    if (command.db !== null && command.db >= databases) {
      writeTextResponse(
        out,
        400,
        `database ${command.db} does not exist (databases: ${databases})`,
        keepAlive,
      );
      return 400;
    }
    const selected = client.db;
    if (command.db !== null) client.db = command.db;
    client.lastInteraction = this.contexts.server.clock();
    const reply = execute(command.argv, this.contexts.current());
    this.contexts.server.aof?.endOfBatch(); // in the append-only file (and synced if always) before the response
    // Webdis's "/7/GET/key" runs in database 7 for that request only; a SELECT the command ran stays.
    if (command.db !== null && client.db === command.db) client.db = selected;

    const format = command.format;
    if (format.kind === 'json') {
      writeResponse(out, { status: 200, contentType: format.contentType, keepAlive }, jsonBody(verb, reply));
      return 200;
    }
    if (format.kind === 'raw') {
      writeResponse(
        out,
        { status: 200, contentType: format.contentType, keepAlive },
        rawBody(reply, client.resp),
      );
      return 200;
    }
    const value = valueBody(reply, format.separator);
    if (value === null) {
      writeTextResponse(
        out,
        400,
        `a ${reply.kind} reply has no ${format.contentType} form: use .json`,
        keepAlive,
      );
      return 400;
    }
    if (value.status === 404) {
      writeResponse(out, { status: 404, keepAlive }, value.body);
      return 404;
    }
    writeResponse(out, { status: 200, contentType: format.contentType, keepAlive }, value.body);
    return 200;
  }
}

/** Webdis's answer to a CORS preflight: any origin may call with these methods and headers. */
const CORS_PREFLIGHT =
  'Access-Control-Allow-Methods: GET, POST, PUT, OPTIONS\r\n' +
  'Access-Control-Allow-Headers: X-Requested-With, Content-Type, Authorization';
