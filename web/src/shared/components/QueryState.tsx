import { Alert, Button, Center, Loader } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { errorMessage } from '../api/client';

interface QueryLike {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** Loader while a query is pending, an Alert with Retry when it failed; nothing otherwise. */
export function QueryState({ query }: { query: QueryLike }) {
  if (query.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (query.isError) {
    return (
      <Alert color="red" title="Could not load data" icon={<IconAlertTriangle />}>
        {errorMessage(query.error)}
        <div>
          <Button variant="subtle" size="xs" mt="xs" onClick={() => query.refetch()}>
            Retry
          </Button>
        </div>
      </Alert>
    );
  }
  return null;
}
