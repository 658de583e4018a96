/** A small CBOR decoder (RFC 8949 §3) for attestation objects and COSE keys: enough types for WebAuthn. */
export type CborValue = number | bigint | string | Uint8Array | boolean | null | CborValue[] | Map<unknown, CborValue>;

export function decodeCbor(data: Uint8Array): { value: CborValue; rest: Uint8Array } {
  let pos = 0;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const need = (n: number) => {
    if (pos + n > buf.length) throw new Error('CBOR: truncated');
  };
  const head = (): [number, number] => {
    need(1);
    const b = buf[pos++]!;
    const major = b >> 5,
      info = b & 0x1f;
    if (info < 24) return [major, info];
    if (info === 24) {
      need(1);
      return [major, buf[pos++]!];
    }
    if (info === 25) {
      need(2);
      const v = buf.readUInt16BE(pos);
      pos += 2;
      return [major, v];
    }
    if (info === 26) {
      need(4);
      const v = buf.readUInt32BE(pos);
      pos += 4;
      return [major, v];
    }
    if (info === 27) {
      need(8);
      const v = Number(buf.readBigUInt64BE(pos));
      pos += 8;
      return [major, v];
    }
    throw new Error(`CBOR: unsupported additional info ${info}`);
  };
  const item = (depth: number): CborValue => {
    if (depth > 16) throw new Error('CBOR: nested too deep');
    const [major, n] = head();
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2: {
        need(n);
        const v = new Uint8Array(buf.subarray(pos, pos + n));
        pos += n;
        return v;
      }
      case 3: {
        need(n);
        const v = buf.toString('utf8', pos, pos + n);
        pos += n;
        return v;
      }
      case 4:
        return Array.from({ length: n }, () => item(depth + 1));
      case 5: {
        const m = new Map<unknown, CborValue>();
        for (let i = 0; i < n; i++) {
          const k = item(depth + 1);
          m.set(k, item(depth + 1));
        }
        return m;
      }
      case 7:
        if (n === 20) return false;
        if (n === 21) return true;
        if (n === 22) return null;
        throw new Error('CBOR: unsupported simple value');
      default:
        throw new Error(`CBOR: unsupported major type ${major}`);
    }
  };
  const value = item(0);
  return { value, rest: new Uint8Array(buf.subarray(pos)) };
}
