// Redis's CRC-64 (crc64.c: the Jones polynomial, reflected, initial value 0, no final xor), which ends an RDB
// file and every DUMP payload. Table-driven over two 32-bit halves: BigInt per byte would cost ~100x.
// crc64(0, "123456789") = 0xe9c6d914c4b8d9ca (crc64.c's own test).

// Reflected polynomial 0x95ac9329ac4bc9b5, as halves.
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry !== 0) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[n] = hi;
  TABLE_LO[n] = lo;
}

/** A running CRC: feed bytes in pieces (a file written in chunks), then read it. */
export class Crc64 {
  private hi = 0;
  private lo = 0;

  update(bytes: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < bytes.length; i++) {
      const index = (lo ^ bytes[i]) & 0xff;
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ TABLE_LO[index];
      hi = (hi >>> 8) ^ TABLE_HI[index];
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  /** The 8 bytes Redis writes after the data: the CRC little-endian. */
  bytes(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }

  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

export function crc64(bytes: Uint8Array): Crc64 {
  return new Crc64().update(bytes);
}
