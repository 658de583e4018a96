import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useBranding } from '../api/branding';
import { BrandMark } from './BrandMark';

/** Whose name heads the card: Tessera's (the admin console) or the organisation's logo and name (the employee pages). */
export type AuthCardBrand = 'tessera' | 'organisation';

/**
 * Centered card of the pages outside an app shell: the console's setup, sign-in and TOTP
 * enrollment, and the employees' sign-in and invitation pages. Only the employee pages are a
 * `main` landmark under the organisation's brand; the console's card keeps its narrower width.
 */
export function AuthCard(props: { brand?: AuthCardBrand; title: string; subtitle?: ReactNode; children?: ReactNode }) {
  const { brand = 'tessera', title, subtitle, children } = props;
  const isOrganisation = brand === 'organisation';
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-light)" {...(isOrganisation ? { component: 'main' as const } : {})}>
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={isOrganisation ? 460 : 440}>
        <Stack gap="xs" mb="lg">
          {isOrganisation ? (
            <OrganisationMark />
          ) : (
            <Text fw={700} c="indigo" size="sm" tt="uppercase">
              Tessera
            </Text>
          )}
          <Title order={1} size="h2" mt={isOrganisation ? 'sm' : undefined}>
            {title}
          </Title>
          {subtitle ? (
            <Text c="dimmed" size="sm" {...(isOrganisation ? { component: 'div' as const } : {})}>
              {subtitle}
            </Text>
          ) : null}
        </Stack>
        {children}
      </Paper>
    </Center>
  );
}

/** The organisation's logo and name from GET /api/branding (cached: the page asked for it before it rendered). */
function OrganisationMark() {
  const branding = useBranding();
  return <BrandMark branding={branding.data} />;
}
