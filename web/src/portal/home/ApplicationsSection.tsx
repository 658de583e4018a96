import { Anchor, Avatar, Badge, Card, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { IconApps } from '@tabler/icons-react';
import { useApplications } from '../api/portal';
import { QueryState } from '../../shared/components/QueryState';

/** "My applications": the SSO applications the employee may open. */
export function ApplicationsSection() {
  const applications = useApplications();
  const items = applications.data?.items ?? [];
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="applications-title">
      <Title order={2} size="h3" id="applications-title" mb="md">
        My applications
      </Title>
      <QueryState query={applications} />
      {applications.data && items.length === 0 ? (
        <Group gap="sm" c="dimmed">
          <IconApps size={20} aria-hidden />
          <Text size="sm">No applications yet</Text>
        </Group>
      ) : null}
      {items.length > 0 ? (
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="My applications">
          {items.map((app) => (
            <Card component="li" key={app.id} withBorder padding="sm" radius="md">
              <Group justify="space-between" wrap="nowrap">
                <Group gap="sm" wrap="nowrap" miw={0}>
                  {/* Decorative: the link beside it names the application. */}
                  <Avatar src={app.iconUrl} alt="" radius="sm" size={40} color="gray" aria-hidden>
                    {app.name.charAt(0).toUpperCase()}
                  </Avatar>
                  <Anchor href={app.url} fw={600} truncate>
                    {app.name}
                  </Anchor>
                </Group>
                {/* Never shrinks: a long name is cut (with its full text in the link), the protocol never. */}
                <Badge variant="light" color="gray" style={{ flexShrink: 0, overflow: 'visible' }}>
                  {app.protocol}
                </Badge>
              </Group>
            </Card>
          ))}
        </SimpleGrid>
      ) : null}
    </Paper>
  );
}
