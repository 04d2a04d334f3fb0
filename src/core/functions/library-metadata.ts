// A function library's first line, `#!<engine> name=<library>` (functions.c functionExtractLibMetaData and the
// checks functionsCreateWithLibraryCtx makes of it): the engine, the library's name and the code after the line
// (from its line feed on, so errors name the user's line numbers), or the error Redis replies. Pure.

import { splitArgs } from '../parser.js';

export interface LibraryMetadata {
  readonly name: string;
  /** The library's code from the line feed that ends the shebang. */
  readonly code: Buffer;
}

const NAME_CHARACTERS = /^[a-zA-Z0-9_]+$/;

/** functionsVerifyName: letters, digits and underscores, at least one. */
export function validLibraryName(name: string): boolean {
  return NAME_CHARACTERS.test(name);
}

/** The metadata of a library's code, or the error (without its ERR code). */
export function readLibraryMetadata(payload: Buffer): LibraryMetadata | { readonly error: string } {
  if (payload.length < 2 || payload[0] !== 0x23 || payload[1] !== 0x21)
    return { error: 'Missing library metadata' };
  // strchr over a C string: the first line feed before any NUL byte.
  let end = -1;
  for (let i = 0; i < payload.length && payload[i] !== 0; i++) {
    if (payload[i] === 0x0a) {
      end = i;
      break;
    }
  }
  if (end < 0) return { error: 'Invalid library metadata' };
  const parts = splitArgs(payload, 0, end);
  if (parts === null || parts.length === 0) return { error: 'Invalid library metadata' };
  const engine = parts[0].toString('latin1').slice(2);
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    const text = part.toString('latin1');
    if (text.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) return { error: 'Invalid metadata value, name argument was given multiple times' };
      name = text.slice(5);
      continue;
    }
    // (No NUL here: the line ends at the first one, as strchr reads it.)
    return { error: `Invalid metadata value given: ${text}` };
  }
  if (name === null) return { error: 'Library name was not given' };
  if (!validLibraryName(name)) {
    return {
      error:
        'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long',
    };
  }
  // The only engine (engines are looked up without regard to case).
  if (engine.toLowerCase() !== 'lua') return { error: `Engine '${engine}' not found` };
  return { name, code: payload.subarray(end) };
}
