// Webdis's URL scheme (github.com/nicolasff/webdis, src/cmd.c cmd_run and cmd_select_format): a path such as
// "7/SET/key/value.txt?type=text/plain" becomes the database to run in, argv and the reply format.
// `/` separates arguments and a known extension on the last one picks the output; `%2f` and `%2e` carry those
// characters inside an argument, and `+` is a space, as Webdis decodes. Pure: strings in, bytes out.

/** How a reply is written back: Webdis's JSON, RESP bytes (".raw"), or the value with a content type. */
export type ReplyFormat =
  | { readonly kind: 'json'; readonly contentType: string }
  | { readonly kind: 'raw'; readonly contentType: string }
  | { readonly kind: 'value'; readonly contentType: string; readonly separator: Buffer };

export interface CommandRequest {
  /** The database the command runs in (a leading all-digits segment, "/7/GET/key"), or null: the client's. */
  readonly db: number | null;
  readonly argv: Buffer[];
  readonly format: ReplyFormat;
}

const JSON_FORMAT: ReplyFormat = { kind: 'json', contentType: 'application/json' };

/** Webdis's table of extensions (cmd_select_format), ".msg" (MessagePack) aside. */
const EXTENSIONS: ReadonlyMap<string, ReplyFormat> = new Map<string, ReplyFormat>([
  ['json', JSON_FORMAT],
  ['js', { kind: 'json', contentType: 'application/javascript' }],
  ['raw', { kind: 'raw', contentType: 'binary/octet-stream' }],
  ...(
    [
      ['bin', 'binary/octet-stream'],
      ['txt', 'text/plain'],
      ['html', 'text/html'],
      ['xhtml', 'application/xhtml+xml'],
      ['xml', 'text/xml'],
      ['png', 'image/png'],
      ['jpg', 'image/jpeg'],
      ['jpeg', 'image/jpeg'],
      ['css', 'text/css'],
    ] as const
  ).map(([ext, type]): [string, ReplyFormat] => [
    ext,
    { kind: 'value', contentType: type, separator: Buffer.alloc(0) },
  ]),
]);

/** A hex digit's value, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** Webdis's decode_uri: %XX is that byte, `+` a space; a `%` not followed by two hex digits stays as it is. */
export function percentDecode(text: string): Buffer {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) !== 0x25 && text.charCodeAt(i) !== 0x2b) i++;
  if (i === text.length) return Buffer.from(text, 'latin1'); // the usual case: nothing to decode
  const out = Buffer.allocUnsafe(text.length);
  const n = out.write(text.slice(0, i), 'latin1');
  let w = n;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const high = c === 0x25 /* % */ ? hexValue(text.charCodeAt(i + 1)) : -1;
    const low = high < 0 ? -1 : hexValue(text.charCodeAt(i + 2));
    if (low >= 0) {
      out[w++] = high * 16 + low;
      i += 2;
    } else {
      out[w++] = c === 0x2b /* + */ ? 0x20 : c;
    }
  }
  return out.subarray(0, w);
}

/** Whether `text` is all ASCII digits (Webdis's database prefix), without a regular expression per request. */
function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 9) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The query's `type` (a content type for the value) and `sep` (between an array's values) parameters. */
function queryParams(query: string): { type: string | null; sep: Buffer | null } {
  let type: string | null = null;
  let sep: Buffer | null = null;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const key = pair.slice(0, eq);
    const value = percentDecode(pair.slice(eq + 1));
    if (key === 'type') type = value.toString('latin1');
    else if (key === 'sep') sep = value;
  }
  return { type, sep };
}

/** Content types are echoed in a header: only a plain type/subtype, so a request cannot inject headers. */
const CONTENT_TYPE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses "COMMAND/arg1/arg2.ext?query" (the request path without its leading `/`, or a POST body). `body`:
 * PUT's body, appended as the last argument when not empty. An error is a message for a 400 response.
 */
export function parseCommandPath(path: string, body: Buffer | null = null): CommandRequest | string {
  const qmark = path.indexOf('?');
  const query = qmark < 0 ? null : queryParams(path.slice(qmark + 1));
  let rest = qmark < 0 ? path : path.slice(0, qmark);

  // The extension is looked for in the last segment only, before any decoding (so "%2e" is never one).
  let format = JSON_FORMAT;
  const dot = rest.lastIndexOf('.');
  if (dot > rest.lastIndexOf('/')) {
    const known = EXTENSIONS.get(rest.slice(dot + 1));
    if (known !== undefined) {
      format = known;
      rest = rest.slice(0, dot);
    }
  }
  if (query !== null && (query.type !== null || query.sep !== null)) {
    const contentType = query.type ?? (format.kind === 'value' ? format.contentType : 'text/plain');
    if (!CONTENT_TYPE.test(contentType)) return `invalid content type ${JSON.stringify(contentType)}`;
    format = { kind: 'value', contentType, separator: query.sep ?? Buffer.alloc(0) };
  }

  const segments = rest.split('/');
  let db: number | null = null;
  if (segments.length > 1 && isDigits(segments[0])) {
    db = Number(segments[0]);
    segments.shift();
  }
  if (segments[0] === '') return 'no command: use /COMMAND/arg1/arg2 (for example /GET/key)';
  // The command name is not decoded (Webdis neither): it is never more than letters and '|'.
  const argv: Buffer[] = [Buffer.from(segments[0], 'latin1')];
  for (let i = 1; i < segments.length; i++) argv.push(percentDecode(segments[i]));
  if (body !== null && body.length > 0) argv.push(Buffer.from(body));
  return { db, argv, format };
}
