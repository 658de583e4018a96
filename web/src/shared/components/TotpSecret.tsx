import { ActionIcon, CopyButton, Image, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

/** The TOTP secret as a QR code and as text ("Secret key"), with a copy button. */
export function TotpSecret({ secret, qrDataUrl }: { secret: string; qrDataUrl: string }) {
  return (
    <Stack gap="xs">
      <Text size="sm">
        Scan this QR code with your authenticator app (Google Authenticator, Microsoft Authenticator, 1Password…), or type the secret key into it. Then enter
        the 6-digit code it shows.
      </Text>
      <Image src={qrDataUrl} alt="QR code for your authenticator app" w={200} h={200} fit="contain" />
      <TextInput
        label="Secret key"
        value={secret}
        readOnly
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        rightSection={
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? 'Copied' : 'Copy to clipboard'}>
                <ActionIcon variant="subtle" onClick={copy} aria-label="Copy to clipboard">
                  {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        }
      />
    </Stack>
  );
}
