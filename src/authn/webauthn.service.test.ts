import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authenticatorModel } from './aaguids.js';
import { toCredentialDto } from './authn.schemas.js';
import { isPlatformCredential, userHandleOf } from './webauthn.service.js';
import type { CredentialRow } from './webauthn.repository.js';

describe('authenticator attachment and model', () => {
  it('takes a credential for a platform one by what answered, whatever the client claims', () => {
    const cases: [Parameters<typeof isPlatformCredential>[0], boolean][] = [
      [{ attachment: 'cross-platform', transports: ['usb', 'nfc'], isBackupEligible: false }, false],
      [{ attachment: undefined, transports: ['usb'], isBackupEligible: false }, false],
      [{ attachment: 'platform', transports: ['usb'], isBackupEligible: false }, true],
      [{ attachment: 'cross-platform', transports: ['internal'], isBackupEligible: false }, true],
      [{ attachment: null, transports: ['hybrid'], isBackupEligible: false }, true],
      [{ attachment: 'cross-platform', transports: ['usb'], isBackupEligible: true }, true],
    ];
    for (const [input, expected] of cases) assert.equal(isPlatformCredential(input), expected, JSON.stringify(input));
  });

  it('names well-known models and nothing else', () => {
    assert.equal(authenticatorModel('EE882879-721C-4913-9775-3DFCCE97072A'), 'YubiKey 5 Series');
    assert.equal(authenticatorModel('fbfc3007-154e-4ecc-8c0b-6e020557d7bd'), 'iCloud Keychain');
    assert.equal(authenticatorModel('00000000-0000-0000-0000-000000000000'), null);
    assert.equal(authenticatorModel('01020304-0506-0708-0102-030405060708'), null);
  });

  it('calls a synced or platform credential a passkey and a hardware-bound roaming one a security key', () => {
    const row = {
      id: '7c1d0f4e-2b9a-4f3e-9d51-1a2b3c4d5e6f',
      name: 'k',
      attachment: 'cross-platform',
      aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
      isBackupEligible: false,
      isBackedUp: false,
      createdAt: new Date(0),
      lastUsedAt: null,
    } as unknown as CredentialRow;
    assert.equal(toCredentialDto(row).type, 'security_key');
    assert.equal(toCredentialDto(row).model, 'YubiKey 5 Series');
    assert.equal(toCredentialDto({ ...row, isBackupEligible: true }).type, 'passkey');
    assert.equal(toCredentialDto({ ...row, attachment: 'platform' }).type, 'passkey');
  });

  it("uses the 16 bytes of the subject's UUID as user handle", () => {
    assert.equal(Buffer.from(userHandleOf('7c1d0f4e-2b9a-4f3e-9d51-1a2b3c4d5e6f')).toString('hex'), '7c1d0f4e2b9a4f3e9d511a2b3c4d5e6f');
  });
});
