// Protocol-neutral reply values. Commands return these; the session encodes each one exactly once, as RESP2
// or as a plaintext line (see reply-encoding.ts), depending on how the request that produced it was framed.
// Nothing here knows about sockets or about which protocol a client speaks.

export type Reply =
  | { readonly kind: 'status'; readonly value: string }
  | { readonly kind: 'error'; readonly value: string }
  | { readonly kind: 'integer'; readonly value: number | bigint }
  | { readonly kind: 'bulk'; readonly value: Uint8Array }
  | { readonly kind: 'nil' }
  | { readonly kind: 'array'; readonly value: readonly Reply[] }
  | { readonly kind: 'nilArray' };

export const OK: Reply = Object.freeze({ kind: 'status', value: 'OK' });
export const NIL: Reply = Object.freeze({ kind: 'nil' });
export const NIL_ARRAY: Reply = Object.freeze({ kind: 'nilArray' });
export const ZERO: Reply = Object.freeze({ kind: 'integer', value: 0 });
export const ONE: Reply = Object.freeze({ kind: 'integer', value: 1 });

export const status = (value: string): Reply => ({ kind: 'status', value });
export const error = (value: string): Reply => ({ kind: 'error', value });
export const integer = (value: number | bigint): Reply => ({ kind: 'integer', value });
export const bulk = (value: Uint8Array): Reply => ({ kind: 'bulk', value });
export const bulkString = (value: string): Reply => ({ kind: 'bulk', value: Buffer.from(value) });
export const bulkOrNil = (value: Uint8Array | null): Reply => (value === null ? NIL : bulk(value));
export const array = (value: readonly Reply[]): Reply => ({ kind: 'array', value });
export const bulkArray = (values: readonly (Uint8Array | null)[]): Reply => array(values.map(bulkOrNil));
