import { Tabs } from '@mantine/core';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useDashboard } from '../../api/dashboard';
import { PageHeader } from '../../components/PageHeader';

/** The tabs of /hardware-keys, each its own address. */
const tabs = [
  { to: '/hardware-keys', label: 'Inventory' },
  { to: '/hardware-keys/profiles', label: 'Access profiles' },
];

/** Hardware keys: the FIDO2 security keys in stock and with employees, and the access profiles they follow. */
export function HardwareKeysPage() {
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const counts = useDashboard().data?.hardwareKeys;
  const current = tabs.find((t) => t.to === pathname.replace(/\/+$/, ''))?.to ?? '/hardware-keys';
  const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null;

  return (
    <>
      <PageHeader
        title="Hardware keys"
        description={
          counts && total !== null
            ? `${total} ${total === 1 ? 'key' : 'keys'}: ${counts.ready} in stock, ${counts.reserved} reserved, ${counts.active} active`
            : undefined
        }
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
