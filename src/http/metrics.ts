// /metrics: the server's figures in Prometheus's text exposition format (version 0.0.4), for scraping. The
// figures are INFO's own, read from the same text INFO answers with (renderInfo over every section), so the
// two can never disagree; the HTTP interface adds its own connections, responses and a request latency
// histogram. Knows INFO's field names and Prometheus's format; nothing of sockets.

import type { ServerContext } from '../core/command.js';
import { renderInfo } from '../core/info.js';
import type { KeyValueStore } from '../core/store/types.js';
import { LatencyHistogram } from './latency-histogram.js';

const PREFIX = 'redis_lite_';

const ALL_SECTIONS: ReadonlySet<string> = new Set([
  'server',
  'clients',
  'memory',
  'stats',
  'cpu',
  'commandstats',
  'errorstats',
  'keyspace',
]);

type Kind = 'gauge' | 'counter';

/** INFO fields exported as they are: INFO's name, the metric's, its type and help. */
const PLAIN_FIELDS: readonly (readonly [field: string, metric: string, kind: Kind, help: string])[] = [
  ['uptime_in_seconds', 'uptime_seconds', 'gauge', 'Seconds since the server started'],
  ['connected_clients', 'connected_clients', 'gauge', 'RESP clients connected (INFO connected_clients)'],
  ['blocked_clients', 'blocked_clients', 'gauge', 'Clients blocked in a command (INFO blocked_clients)'],
  ['maxclients', 'maxclients', 'gauge', 'The maxclients setting, as lowered to the descriptor limit'],
  ['workers', 'workers', 'gauge', 'Worker threads of the pool or the hybrid (INFO workers)'],
  ['busy_workers', 'busy_workers', 'gauge', 'Pool workers serving a client now (INFO busy_workers)'],
  ['queued_clients', 'queued_clients', 'gauge', 'Clients waiting for a pool worker (INFO queued_clients)'],
  [
    'used_memory',
    'used_memory_bytes',
    'gauge',
    'Bytes of the store and the heap baseline (INFO used_memory)',
  ],
  ['used_memory_rss', 'used_memory_rss_bytes', 'gauge', 'Resident set size of the process'],
  ['used_memory_dataset', 'used_memory_dataset_bytes', 'gauge', 'Bytes the stored keys and values use'],
  ['maxmemory', 'maxmemory_bytes', 'gauge', 'The maxmemory setting (reported, not enforced)'],
  ['total_connections_received', 'connections_received_total', 'counter', 'RESP connections accepted'],
  ['total_commands_processed', 'commands_processed_total', 'counter', 'Commands run, all clients'],
  ['rejected_connections', 'rejected_connections_total', 'counter', 'Connections refused at maxclients'],
  ['expired_keys', 'expired_keys_total', 'counter', 'Keys removed because their expiry passed'],
  ['keyspace_hits', 'keyspace_hits_total', 'counter', 'Key lookups that found the key'],
  ['keyspace_misses', 'keyspace_misses_total', 'counter', 'Key lookups that did not find the key'],
  ['total_error_replies', 'error_replies_total', 'counter', 'Error replies sent (INFO total_error_replies)'],
  ['pubsub_channels', 'pubsub_channels', 'gauge', 'Channels with subscribers'],
  ['pubsub_patterns', 'pubsub_patterns', 'gauge', 'Patterns with subscribers'],
  ['used_cpu_sys', 'cpu_sys_seconds_total', 'counter', 'System CPU time of the process'],
  ['used_cpu_user', 'cpu_user_seconds_total', 'counter', 'User CPU time of the process'],
];

/** INFO's text as field -> value (section titles and blank lines skipped). */
export function infoFields(info: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of info.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** "calls=3,usec=12,..." -> { calls: 3, usec: 12, ... } */
function subfields(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = Number(part.slice(eq + 1));
  }
  return out;
}

/** A label value escaped as the exposition format requires (backslash, quote, newline). */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Builds the exposition text: each family's HELP and TYPE once, then its samples. */
class Exposition {
  private readonly lines: string[] = [];

  family(name: string, kind: Kind | 'histogram', help: string): void {
    this.lines.push(`# HELP ${PREFIX}${name} ${help}`, `# TYPE ${PREFIX}${name} ${kind}`);
  }

  sample(name: string, value: number, labels: Record<string, string> = {}): void {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`);
    const shown = Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : '-Inf';
    this.lines.push(`${PREFIX}${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${shown}`);
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** The HTTP interface's own figures, kept by the listener and its connections. */
export class HttpMetrics {
  connections = 0;
  connectionsReceived = 0;
  private readonly responses = new Map<number, number>();
  readonly latency = new LatencyHistogram();

  observe(status: number, seconds: number): void {
    this.responses.set(status, (this.responses.get(status) ?? 0) + 1);
    this.latency.observe(seconds);
  }

  /** The whole /metrics body: INFO's figures, then the HTTP interface's. */
  render(store: KeyValueStore, server: ServerContext): string {
    const out = new Exposition();
    const fields = infoFields(renderInfo({ server, store }, ALL_SECTIONS));
    out.family('info', 'gauge', 'Always 1; the labels say which server this is');
    out.sample('info', 1, {
      version: fields.get('redis_lite_version') ?? '',
      redis_version: fields.get('redis_version') ?? '',
      transport: fields.get('transport') ?? '',
    });
    for (const [field, metric, kind, help] of PLAIN_FIELDS) {
      const value = fields.get(field);
      if (value === undefined) continue; // e.g. busy_workers on the event loop, which has none
      out.family(metric, kind, help);
      out.sample(metric, Number(value));
    }
    this.renderKeyspace(out, fields);
    this.renderCommands(out, fields);
    this.renderHttp(out);
    return out.text();
  }

  private renderKeyspace(out: Exposition, fields: Map<string, string>): void {
    const dbs = [...fields].filter(([name]) => /^db\d+$/.test(name));
    out.family('keys', 'gauge', 'Keys per database (INFO keyspace keys=)');
    for (const [name, value] of dbs) out.sample('keys', subfields(value).keys, { db: name.slice(2) });
    out.family('expiring_keys', 'gauge', 'Keys with an expiry per database (INFO keyspace expires=)');
    for (const [name, value] of dbs)
      out.sample('expiring_keys', subfields(value).expires, { db: name.slice(2) });
  }

  private renderCommands(out: Exposition, fields: Map<string, string>): void {
    const commands = [...fields]
      .filter(([name]) => name.startsWith('cmdstat_'))
      .map(([name, value]) => [name.slice('cmdstat_'.length), subfields(value)] as const);
    const perCommand = [
      ['command_calls_total', 'calls', 1, 'Calls per command (INFO commandstats calls=)'],
      ['command_duration_seconds_total', 'usec', 1e-6, 'Time spent running each command'],
      ['command_rejected_calls_total', 'rejected_calls', 1, 'Calls refused before running, per command'],
      ['command_failed_calls_total', 'failed_calls', 1, 'Calls that replied an error, per command'],
    ] as const;
    for (const [metric, key, scale, help] of perCommand) {
      out.family(metric, 'counter', help);
      for (const [cmd, stats] of commands) out.sample(metric, stats[key] * scale, { cmd });
    }
    out.family('errors_total', 'counter', 'Error replies per error code (INFO errorstats)');
    for (const [name, value] of fields) {
      if (name.startsWith('errorstat_'))
        out.sample('errors_total', subfields(value).count, { error: name.slice('errorstat_'.length) });
    }
  }

  private renderHttp(out: Exposition): void {
    out.family('http_connections', 'gauge', 'HTTP connections open now');
    out.sample('http_connections', this.connections);
    out.family('http_connections_received_total', 'counter', 'HTTP connections accepted');
    out.sample('http_connections_received_total', this.connectionsReceived);
    out.family('http_responses_total', 'counter', 'HTTP responses by status code');
    for (const [code, count] of [...this.responses].sort((a, b) => a[0] - b[0]))
      out.sample('http_responses_total', count, { code: String(code) });
    out.family(
      'http_request_duration_seconds',
      'histogram',
      'Time from a whole HTTP request to its response',
    );
    for (const { le, count } of this.latency.cumulative())
      out.sample('http_request_duration_seconds_bucket', count, { le: String(le) });
    out.sample('http_request_duration_seconds_bucket', this.latency.count, { le: '+Inf' });
    out.sample('http_request_duration_seconds_sum', this.latency.sumSeconds);
    out.sample('http_request_duration_seconds_count', this.latency.count);
  }
}
