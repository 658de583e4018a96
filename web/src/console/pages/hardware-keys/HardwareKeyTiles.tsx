import { Anchor, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { Dashboard } from '../../../shared/api/types';
import { KEY_STATES, stateHints, stateLabels } from './key-format';

const colors: Record<string, string | undefined> = { active: 'teal', reserved: 'blue', suspended: 'yellow.7', locked: 'orange', compromised: 'red' };

/** The dashboard's hardware key tiles: how many keys in each state, each a link to the inventory filtered by it. */
export function HardwareKeyTiles({ counts }: { counts: Dashboard['hardwareKeys'] }) {
  return (
    <section aria-label="Hardware keys">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          Hardware keys
        </Title>
        <Anchor component={Link} to="/hardware-keys" size="sm">
          See all keys
        </Anchor>
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 7 }}>
        {KEY_STATES.map((state) => {
          const id = `stat-keys-${state}`;
          const label = `Keys ${stateLabels[state].toLowerCase()}`;
          return (
            <Paper key={state} withBorder p="md" radius="md" role="group" aria-labelledby={id}>
              <Text id={id} size="xs" c="dimmed" tt="uppercase" fw={700}>
                {label}
              </Text>
              <Text fw={700} fz={28} c={counts[state] > 0 ? colors[state] : undefined}>
                {counts[state]}
              </Text>
              <Anchor component={Link} to={`/hardware-keys?state=${state}`} size="xs" c="dimmed">
                {stateHints[state]}
              </Anchor>
            </Paper>
          );
        })}
      </SimpleGrid>
    </section>
  );
}
