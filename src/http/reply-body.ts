// A command's reply as an HTTP response body, in the three shapes Webdis writes (github.com/nicolasff/webdis,
// src/formats/json.c, raw.c, custom-type.c): `{"VERB": value}` JSON, RESP bytes, or the bare value with the
// content type the URL asked for. Works on protocol-neutral Reply values; knows nothing of sockets.

import type { Reply } from '../core/reply.js';
import { ByteWriter, encodeReply } from '../core/reply-encoding.js';
import { formatDouble } from '../core/format-double.js';

/** Bytes a JSON string holds: a stored value as text. Values are bytes; JSON strings are Unicode (see README). */
function text(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
}

/** INFO's text as Webdis turns it into an object: one member per "field:value" line. */
function infoObject(info: string): string {
  const members: string[] = [];
  for (const line of info.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    // Section titles ("# Server") and blank lines carry no field. (Webdis 0.1.9 glues each title to the
    // field after it, "# Server\r\nredis_version"; the field's own name is what a reader looks up.)
    if (line.startsWith('#') || colon <= 0) continue;
    members.push(`${JSON.stringify(line.slice(0, colon))}:${JSON.stringify(line.slice(colon + 1))}`);
  }
  return `{${members.join(',')}}`;
}

/** An array element as json_expand_array writes it: statuses as strings, errors and nulls as null. */
function element(reply: Reply): string {
  switch (reply.kind) {
    case 'status':
      return JSON.stringify(reply.value);
    case 'bulk':
    case 'verbatim':
      return JSON.stringify(text(reply.value));
    case 'integer':
      return String(reply.value);
    case 'boolean':
      return reply.value ? '1' : '0';
    case 'double':
      return JSON.stringify(reply.text ?? formatDouble(reply.value));
    case 'bigNumber':
      return JSON.stringify(reply.value.toString());
    case 'array':
    case 'set':
    case 'push':
    case 'sequence':
      return `[${reply.value.map(element).join(',')}]`;
    case 'map':
      // RESP2's form of a map, which is what Webdis receives: keys and values in turn.
      return `[${reply.value.map(([k, v]) => `${element(k)},${element(v)}`).join(',')}]`;
    case 'pinned':
      return element(reply.value);
    case 'error':
    case 'nil':
    case 'nilArray':
      return 'null';
  }
}

/** HGETALL's flat array as an object (json_array_to_keyvalue_reply), or null if it is not [key, value, ...]. */
function keyValueObject(reply: Reply): string | null {
  const flat: Reply[] =
    reply.kind === 'map'
      ? reply.value.flatMap(([k, v]) => [k, v])
      : reply.kind === 'array'
        ? [...reply.value]
        : [];
  if (flat.length % 2 !== 0) return null;
  const members: string[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const key = flat[i];
    if (key.kind !== 'bulk') return null;
    members.push(`${JSON.stringify(text(key.value))}:${element(flat[i + 1])}`);
  }
  return `{${members.join(',')}}`;
}

/** The reply's JSON value as json_wrap_redis_reply writes it at the top level. */
function topLevel(verb: string, reply: Reply): string {
  switch (reply.kind) {
    case 'status':
      return `[true,${JSON.stringify(reply.value)}]`;
    case 'error':
      return `[false,${JSON.stringify(reply.value)}]`;
    case 'bulk':
    case 'verbatim':
      return verb.toLowerCase() === 'info'
        ? infoObject(text(reply.value))
        : JSON.stringify(text(reply.value));
    case 'array':
    case 'map':
      if (verb.toLowerCase() === 'hgetall') return keyValueObject(reply) ?? element(reply);
      return element(reply);
    case 'pinned':
      return topLevel(verb, reply.value);
    default:
      return element(reply);
  }
}

/** `{"VERB": value}`, VERB as the client wrote it (Webdis keys the object by argv[0] unchanged). */
export function jsonBody(verb: string, reply: Reply): string {
  return `{${JSON.stringify(verb)}:${topLevel(verb, reply)}}`;
}

/** The reply as RESP bytes (".raw"), in the RESP version the client speaks (2 unless it sent HELLO 3). */
export function rawBody(reply: Reply, resp: 2 | 3): Buffer {
  const out = new ByteWriter(256);
  encodeReply(reply, resp === 3 ? 'resp3' : 'resp2', out);
  return out.take();
}

/**
 * The bare value for a content type (custom_type_reply): a string as is, an integer's digits, a status or
 * error as "+OK" / "-ERR ...", an array's string values joined by `separator`; null is a 404. null: the reply
 * has no such form (Webdis answers 400).
 */
export function valueBody(reply: Reply, separator: Buffer): { status: 200 | 404; body: Buffer } | null {
  switch (reply.kind) {
    case 'bulk':
    case 'verbatim':
      return { status: 200, body: Buffer.from(reply.value) };
    case 'nil':
    case 'nilArray':
      return { status: 404, body: Buffer.alloc(0) };
    case 'status':
      return { status: 200, body: Buffer.from(`+${reply.value}`, 'latin1') };
    case 'error':
      return { status: 200, body: Buffer.from(`-${reply.value}`, 'latin1') };
    case 'integer':
      return { status: 200, body: Buffer.from(String(reply.value)) };
    case 'array': {
      const parts: Buffer[] = [];
      for (const e of reply.value) {
        if (e.kind !== 'bulk') continue; // Webdis joins the string values only
        if (parts.length > 0 && separator.length > 0) parts.push(separator);
        parts.push(Buffer.from(e.value));
      }
      return { status: 200, body: Buffer.concat(parts) };
    }
    case 'pinned':
      return valueBody(reply.value, separator);
    default:
      return null;
  }
}
