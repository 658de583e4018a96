import { Alert, Anchor, AppShell, Burger, Button, Group, Menu, NavLink, ScrollArea, Text } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconApi,
  IconCertificate,
  IconBuilding,
  IconChevronDown,
  IconDashboard,
  IconDeviceDesktop,
  IconFingerprint,
  IconKey,
  IconListDetails,
  IconSend,
  IconLockPassword,
  IconLogout,
  IconSettings,
  IconShieldLock,
  IconSitemap,
  IconUsb,
  IconUser,
  IconUsers,
  IconUsersGroup,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { useLogout } from '../api/auth';
import { EmergencyBanner } from './EmergencyBanner';
import type { Me } from '../../shared/api/types';
import { notifyError } from '../../shared/components/notify';
import { queryKeys } from '../../shared/query-keys';

const navItems = [
  { to: '/', label: 'Dashboard', icon: IconDashboard },
  { to: '/employees', label: 'Employees', icon: IconUsers },
  { to: '/groups', label: 'Groups', icon: IconUsersGroup },
  { to: '/workstations', label: 'Workstations', icon: IconDeviceDesktop },
  { to: '/hardware-keys', label: 'Hardware keys', icon: IconUsb },
  { to: '/vault', label: 'Vault', icon: IconLockPassword },
  { to: '/organisation', label: 'Organisation', icon: IconBuilding },
  { to: '/admins', label: 'Admins', icon: IconShieldLock },
  { to: '/api-keys', label: 'API keys', icon: IconKey },
  { to: '/entra-passkeys', label: 'Entra passkeys', icon: IconFingerprint },
  { to: '/audit', label: 'Audit log', icon: IconListDetails },
  { to: '/audit/forwarding', label: 'Audit forwarding', icon: IconSend },
  { to: '/settings', label: 'Settings', icon: IconSettings },
  { to: '/settings/domains', label: 'Domains', icon: IconSitemap },
  { to: '/oidc-clients', label: 'OIDC clients', icon: IconApi },
  { to: '/saml', label: 'SAML & WS-Fed', icon: IconCertificate },
];

/**
 * The item that owns the page: the longest `to` that is the path or a parent of it, so that
 * /settings/domains lights Domains and not Settings as well.
 */
function isActive(pathname: string, to: string): boolean {
  const owns = (t: string) => (t === '/' ? pathname === '/' : pathname === t || pathname.startsWith(`${t}/`));
  if (!owns(to)) return false;
  return !navItems.some((other) => other.to.length > to.length && owns(other.to));
}

export function AppLayout({ me, children }: { me: Me; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  // Below the `sm` breakpoint the navigation slides in over the page; closed, it is out of sight
  // and must be out of reach too (no invisible links for the Tab key or a screen reader).
  const isPhone = useMediaQuery('(max-width: 47.99em)');
  const isNavHidden = Boolean(isPhone) && !opened;
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const logout = useLogout();
  const qc = useQueryClient();

  const signOut = async () => {
    try {
      await logout.mutateAsync();
    } catch (error) {
      notifyError(error, 'Could not sign out');
      return;
    }
    // Messages about the last session's actions do not belong on the sign-in page.
    notifications.clean();
    // Signed out first, so that /login shows its form instead of sending us back here.
    qc.setQueryData(queryKeys.me, null);
    await navigate('/login', { replace: true });
    qc.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.me[0] });
  };

  const mustEnrollTotp = me.settings.requireAdminTotp && !me.admin.totpEnabled;
  // Few recovery codes left: a lost phone would soon lock this admin out (the profile page makes new ones).
  const recoveryCodesLeft = me.recoveryCodesRemaining;
  const isLowOnRecoveryCodes = recoveryCodesLeft !== null && recoveryCodesLeft <= 3;

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          {/* The organisation's name shrinks (ellipsis) so that the admin's menu stays on a phone's screen. */}
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0, flex: 1 }}>
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
              aria-expanded={opened}
              aria-controls="main-navigation"
            />
            <img src="/favicon.svg" alt="Tessera" width={26} height={26} />
            <Text fw={600} size="lg" truncate data-testid="organisation-name">
              {me.settings.organisationName}
            </Text>
          </Group>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button
                variant="subtle"
                color="gray"
                rightSection={<IconChevronDown size={14} />}
                leftSection={<IconUser size={16} />}
                aria-label={me.admin.email}
                style={{ flexShrink: 0 }}
              >
                {/* On a phone only the icon: the e-mail address would push the menu off the screen. */}
                <Text span inherit visibleFrom="sm">
                  {me.admin.email}
                </Text>
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>{me.admin.name}</Menu.Label>
              <Menu.Item component={Link} to="/profile" leftSection={<IconUser size={14} />}>
                My profile
              </Menu.Item>
              <Menu.Item onClick={() => void signOut()} leftSection={<IconLogout size={14} />}>
                Sign out
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Main navigation" id="main-navigation" inert={isNavHidden} style={isNavHidden ? { visibility: 'hidden' } : undefined}>
        <AppShell.Section grow component={ScrollArea}>
          {navItems.map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              leftSection={<item.icon size={18} stroke={1.6} />}
              active={isActive(pathname, item.to)}
              aria-current={isActive(pathname, item.to) ? 'page' : undefined}
              onClick={close}
            />
          ))}
        </AppShell.Section>
        <AppShell.Section pt="sm" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
          <NavLink component="a" href="/api/docs" target="_blank" rel="noopener" label="API docs" leftSection={<IconApi size={18} stroke={1.6} />} />
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <EmergencyBanner />
        {mustEnrollTotp && pathname !== '/profile' ? (
          <Alert color="yellow" mb="lg" title="Two-factor authentication required">
            Your organisation requires admins to use an authenticator app.{' '}
            <Anchor component={Link} to="/profile">
              Set it up in My profile
            </Anchor>
            .
          </Alert>
        ) : null}
        {isLowOnRecoveryCodes && pathname !== '/profile' ? (
          <Alert color="yellow" mb="lg" title="Few recovery codes left" data-testid="recovery-codes-low">
            {recoveryCodesLeft === 0
              ? 'You have no recovery codes left.'
              : `Only ${recoveryCodesLeft} of your recovery codes ${recoveryCodesLeft === 1 ? 'is' : 'are'} left.`}{' '}
            <Anchor component={Link} to="/profile">
              Generate new ones in My profile
            </Anchor>
            .
          </Alert>
        ) : null}
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
