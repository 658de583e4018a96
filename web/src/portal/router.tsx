import { createBrowserRouter, Navigate } from 'react-router-dom';
import { EnrollPage } from './enroll/EnrollPage';
import { PortalPage } from './home/PortalPage';
import { SignInPage } from './signin/SignInPage';

/** The server serves portal.html for every page under /signin, /enroll and /portal. */
export const portalRouter = createBrowserRouter([
  { path: '/signin', element: <SignInPage /> },
  { path: '/enroll', element: <EnrollPage /> },
  { path: '/portal', element: <PortalPage /> },
  { path: '*', element: <Navigate to="/portal" replace /> },
]);
