import { Group, Image, Text } from '@mantine/core';
import { LOGO_URL } from '../api/branding';
import type { BrandingMark } from '../api/sign-in-types';

/** The organisation's logo (when it has one) and name. */
export function BrandMark({ branding, size = 'md' }: { branding: BrandingMark | undefined; size?: 'sm' | 'md' }) {
  const name = branding?.organisationName ?? '';
  const logoHeight = size === 'sm' ? 28 : 40;
  return (
    <Group gap="sm" wrap="nowrap">
      {branding?.hasLogo ? <Image src={LOGO_URL} alt={`${name} logo`} h={logoHeight} w="auto" maw={160} fit="contain" /> : null}
      <Text fw={700} size={size === 'sm' ? 'md' : 'lg'} c="var(--mantine-primary-color-filled)">
        {name}
      </Text>
    </Group>
  );
}
