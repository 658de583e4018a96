import { Alert, Button, Checkbox, CopyButton, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconCheck, IconCopy, IconDownload } from '@tabler/icons-react';
import { useState } from 'react';

function download(codes: string[], label: string) {
  const text = [
    `Tessera admin recovery codes for ${label}`,
    `Made ${new Date().toISOString()}. Each code signs in once, in place of a code from your authenticator app.`,
    '',
    ...codes,
    '',
  ].join('\n');
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'tessera-recovery-codes.txt';
  a.click();
  URL.revokeObjectURL(url);
}

/**
 * A new set of recovery codes, shown this once: copy or download them, confirm they are saved, then
 * "Done". The server keeps only their hashes, so they cannot be shown again.
 */
export function RecoveryCodes({ codes, label, onDone }: { codes: string[]; label: string; onDone: () => void }) {
  const [isSaved, setSaved] = useState(false);
  return (
    <Stack data-testid="recovery-codes">
      <Alert color="yellow" title="Save your recovery codes">
        If you lose your authenticator app, each code signs you in once in place of its code. They are shown only now: keep them somewhere safe, such as a
        password manager.
      </Alert>
      <SimpleGrid cols={2} spacing="xs" component="ul" aria-label="Recovery codes" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {codes.map((code) => (
          <Text component="li" key={code} ff="monospace" size="lg" ta="center" lh={1.6}>
            {code}
          </Text>
        ))}
      </SimpleGrid>
      <Group>
        <CopyButton value={codes.join('\n')}>
          {({ copied, copy }) => (
            <Button variant="default" leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
        <Button variant="default" leftSection={<IconDownload size={16} />} onClick={() => download(codes, label)}>
          Download .txt
        </Button>
      </Group>
      <Checkbox label="I have saved these codes" checked={isSaved} onChange={(e) => setSaved(e.currentTarget.checked)} />
      <Group>
        <Button onClick={onDone} disabled={!isSaved}>
          Done
        </Button>
      </Group>
    </Stack>
  );
}
