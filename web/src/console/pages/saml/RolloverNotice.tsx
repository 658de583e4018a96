import { Alert, Anchor, Text } from '@mantine/core';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import type { IdpInfo } from '../../api/saml';

const day = (iso: string) => new Date(iso).toLocaleDateString();

/**
 * The coming signing-certificate rollover (GET /api/saml/idp `rollover`): the next key's publish
 * and activation dates, the current certificate's expiry, and a warning when it expires within
 * 30 days with no next key. `quiet` shows nothing when there is nothing to act on (the dashboard).
 */
export function RolloverNotice({ rollover, quiet = false, linkToSaml = false }: { rollover: IdpInfo['rollover']; quiet?: boolean; linkToSaml?: boolean }) {
  const link = linkToSaml ? (
    <Anchor component={Link} to="/saml" size="sm">
      Signing certificates
    </Anchor>
  ) : null;
  if (rollover.isRolloverDue)
    return (
      <Alert color="red" icon={<IconAlertTriangle />} title="The SAML signing certificate expires soon" data-testid="rollover-notice">
        <Text size="sm">
          The certificate that signs SAML and WS-Fed messages expires on {day(rollover.currentExpiresAt)} and no next key is published. Start a rollover so
          service providers trust the next certificate before this one expires.
        </Text>
        {link}
      </Alert>
    );
  if (rollover.next)
    return (
      <Alert color="blue" icon={<IconRefresh />} title="Signing-certificate rollover under way" data-testid="rollover-notice">
        <Text size="sm">
          The next certificate is in the metadata since {day(rollover.next.publishedAt)} and signs from {day(rollover.next.activatesAt)}. The current
          certificate expires on {day(rollover.currentExpiresAt)}.
        </Text>
        {link}
      </Alert>
    );
  if (quiet) return null;
  return (
    <Text size="sm" c="dimmed" data-testid="rollover-notice">
      The current signing certificate expires on {day(rollover.currentExpiresAt)}. No rollover is scheduled.
    </Text>
  );
}
