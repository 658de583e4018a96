import { Badge, Tooltip } from '@mantine/core';
import type { GroupSource } from '../../shared/api/types';

/** "Local" for a group made in the console; the domain's name for one its sync imports. */
export function GroupSourceBadge({ source }: { source: GroupSource }) {
  if (source === 'local')
    return (
      <Badge variant="light" color="blue">
        Local
      </Badge>
    );
  return (
    <Tooltip label={`Managed by ${source.domainName}: change it in the directory`}>
      <Badge variant="light" color="grape">
        {source.domainName || 'Directory'}
      </Badge>
    </Tooltip>
  );
}

/** Who manages a group, in words. */
export const managedBy = (source: GroupSource): string => (source === 'local' ? 'Tessera (local group)' : `${source.domainName} (directory)`);
