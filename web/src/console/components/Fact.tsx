import { Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** One fact on a details page: a small capitalised label over its value, for a SimpleGrid of them. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}
