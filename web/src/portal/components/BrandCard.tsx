import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useBranding } from '../../api/branding';
import { BrandMark } from './BrandMark';

/** Centered card of the sign-in and invitation pages, under the organisation's logo and name. */
export function BrandCard({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children?: ReactNode }) {
  const branding = useBranding();
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-light)" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={460}>
        <Stack gap="xs" mb="lg">
          <BrandMark branding={branding.data} />
          <Title order={1} size="h2" mt="sm">
            {title}
          </Title>
          {subtitle ? (
            <Text c="dimmed" size="sm" component="div">
              {subtitle}
            </Text>
          ) : null}
        </Stack>
        {children}
      </Paper>
    </Center>
  );
}
