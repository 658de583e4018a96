import { Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMe } from '../../api/auth';
import { formatDateTime } from '../../../shared/components/format';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../../shared/components/QueryState';
import { ChangePasswordCard } from './ChangePasswordCard';
import { PasskeysCard } from './PasskeysCard';
import { TwoFactorCard } from './TwoFactorCard';

export function ProfilePage() {
  const me = useMe();
  const admin = me.data?.admin;
  return (
    <>
      <PageHeader title="My profile" />
      <QueryState query={me} />
      {me.data && admin ? (
        <Stack>
          <Paper withBorder radius="md" p="md">
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <div>
                <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                  Name
                </Text>
                <Text>{admin.name}</Text>
              </div>
              <div>
                <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                  Email
                </Text>
                <Text>{admin.email}</Text>
              </div>
              <div>
                <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                  Last sign-in
                </Text>
                <Text>{formatDateTime(admin.lastSignInAt)}</Text>
              </div>
            </SimpleGrid>
          </Paper>
          <Group align="flex-start" grow wrap="wrap">
            <ChangePasswordCard />
            <TwoFactorCard me={me.data} />
          </Group>
          <PasskeysCard />
        </Stack>
      ) : null}
    </>
  );
}
