import { Tabs } from '@mantine/core';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { PageHeader } from '../../components/PageHeader';

/** The tabs of /vault, each its own address. */
const tabs = [
  { to: '/vault', label: 'Shared accounts' },
  { to: '/vault/templates', label: 'Templates' },
];

/** Vault: the accounts shared with employees, and the templates employees start their own accounts from. */
export function VaultPage() {
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const current = tabs.find((t) => t.to === pathname.replace(/\/+$/, ''))?.to ?? '/vault';
  return (
    <>
      <PageHeader
        title="Vault"
        description="Employees see their accounts in their portal and reveal a secret only after a passkey check. Secrets are stored sealed and never shown here."
      />
      <Tabs value={current} onChange={(to) => to && navigate(to)} mb="md">
        <Tabs.List>
          {tabs.map((t) => (
            <Tabs.Tab key={t.to} value={t.to}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet />
    </>
  );
}
