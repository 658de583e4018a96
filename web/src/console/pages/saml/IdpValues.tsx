import { Anchor, Group, Stack, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import type { IdpInfo, SsoProtocol } from '../../api/saml';
import { CopyField } from '../../components/CopyField';

/** "Download certificate (PEM)" / "(DER)": the signing certificate alone, for SPs that ask for a file. */
export function CertificateDownloads({ info }: { info: IdpInfo }) {
  return (
    <Group gap="md">
      <Anchor href={info.certificatePemUrl} download size="sm">
        <Group gap={4} wrap="nowrap">
          <IconDownload size={14} aria-hidden />
          Download certificate (PEM)
        </Group>
      </Anchor>
      <Anchor href={info.certificateDerUrl} download size="sm">
        <Group gap={4} wrap="nowrap">
          <IconDownload size={14} aria-hidden />
          Download certificate (DER)
        </Group>
      </Anchor>
    </Group>
  );
}

/**
 * The IdP values an application is configured with, each with a copy button: for SAML the entity
 * ID, SSO and SLO URLs and metadata URL; for WS-Fed the passive endpoint, issuer and federation
 * metadata; for both the signing certificate (fingerprint and downloads).
 */
export function IdpValues({ info, protocol }: { info: IdpInfo; protocol: SsoProtocol }) {
  const active = info.keys.find((k) => k.isActive);
  return (
    <Stack gap="xs">
      {protocol === 'saml' ? (
        <>
          <CopyField label="IdP entity ID" value={info.entityId} />
          <CopyField label="Single sign-on URL" value={info.ssoUrl} />
          <CopyField label="Single logout URL" value={info.sloUrl} />
          <CopyField label="Metadata URL" value={info.metadataUrl} />
        </>
      ) : (
        <>
          <CopyField label="WS-Federation endpoint" value={info.wsfedUrl} />
          <CopyField label="Issuer (IdP entity ID)" value={info.wsfedEntityId} />
          <CopyField label="Federation metadata URL" value={info.federationMetadataUrl} />
        </>
      )}
      {active ? <CopyField label="Signing certificate SHA-256 fingerprint" value={active.fingerprint} /> : null}
      <CertificateDownloads info={info} />
      {info.rollover.next ? (
        <Text size="xs" c="dimmed">
          A rollover is under way: applications that read the metadata URL pick up the next certificate themselves; a downloaded certificate must be replaced
          when it signs.
        </Text>
      ) : null}
    </Stack>
  );
}
