import type { MasterKey } from './master-key.js';
import { createSealer, type Sealer } from './sealing.js';

/**
 * The sealer every service of one process shares, whose keys `tessera keys rotate` can change while
 * the server runs (the command is carried out by the running server on an embedded database): the
 * services keep their reference and seal and open with the new keys from the next call on.
 */
export interface KeyRingSealer extends Sealer {
  useKeys(primary: MasterKey, previous: MasterKey[]): void;
}

export function createKeyRingSealer(primary: MasterKey, previous: MasterKey[] = []): KeyRingSealer {
  let current = createSealer(primary, previous);
  return {
    get keyId() {
      return current.keyId;
    },
    seal: (plaintext, aad) => current.seal(plaintext, aad),
    open: (sealed, aad) => current.open(sealed, aad),
    useKeys(p, prev) {
      current = createSealer(p, prev);
    },
  };
}
