import type { RouteObject } from 'react-router-dom';
import { AccessProfilesTab } from './AccessProfilesTab';
import { HardwareKeyDetailPage } from './HardwareKeyDetailPage';
import { HardwareKeysPage } from './HardwareKeysPage';
import { KeyInventory } from './KeyInventory';

/** /hardware-keys (Inventory, Access profiles) and /hardware-keys/:id, for the console's router. */
export const hardwareKeyRoutes: RouteObject[] = [
  {
    path: 'hardware-keys',
    element: <HardwareKeysPage />,
    children: [
      { index: true, element: <KeyInventory /> },
      { path: 'profiles', element: <AccessProfilesTab /> },
    ],
  },
  // A static tab above wins over an id here (React Router ranks static segments first).
  { path: 'hardware-keys/:id', element: <HardwareKeyDetailPage /> },
];
