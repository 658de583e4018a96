import type { EmployeeField, NameIdFormat } from './sp.schemas.js';

/**
 * Presets for common service providers: the NameID and attributes each expects, from its
 * vendor's SAML set-up guide. Entity ID, ACS URL and certificate still come from the SP.
 */
export interface SpPreset {
  id: string;
  label: string;
  protocol: 'saml' | 'wsfed';
  nameIdFormat: NameIdFormat;
  nameIdField: EmployeeField;
  attributes: { name: string; field: EmployeeField }[];
  /** What the admin fills in, shown by the console. */
  hint: string;
  tokenType?: 'saml11' | 'saml20';
}

const CLAIMS = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims';

export const spPresets: SpPreset[] = [
  {
    id: 'github-enterprise',
    label: 'GitHub Enterprise',
    protocol: 'saml',
    nameIdFormat: 'persistent',
    nameIdField: 'id',
    attributes: [
      { name: 'username', field: 'username' },
      { name: 'full_name', field: 'displayName' },
      { name: 'emails', field: 'email' },
    ],
    hint: 'Entity ID https://github.com/enterprises/<name>, ACS https://github.com/enterprises/<name>/saml/consume',
  },
  {
    id: 'gitlab',
    label: 'GitLab',
    protocol: 'saml',
    nameIdFormat: 'persistent',
    nameIdField: 'id',
    attributes: [
      { name: 'email', field: 'email' },
      { name: 'first_name', field: 'firstName' },
      { name: 'last_name', field: 'lastName' },
      { name: 'username', field: 'username' },
    ],
    hint: 'Entity ID https://gitlab.example.com, ACS https://gitlab.example.com/users/auth/saml/callback',
  },
  {
    id: 'google-workspace',
    label: 'Google Workspace',
    protocol: 'saml',
    nameIdFormat: 'email',
    nameIdField: 'email',
    attributes: [],
    hint: 'Entity ID google.com/a/<domain>, ACS https://www.google.com/a/<domain>/acs',
  },
  {
    id: 'okta',
    label: 'Okta (inbound SAML)',
    protocol: 'saml',
    nameIdFormat: 'email',
    nameIdField: 'email',
    attributes: [
      { name: 'firstName', field: 'firstName' },
      { name: 'lastName', field: 'lastName' },
      { name: 'email', field: 'email' },
    ],
    hint: 'Entity ID and ACS from the Okta identity provider page',
  },
  {
    id: 'cisco-asa',
    label: 'Cisco ASA AnyConnect',
    protocol: 'saml',
    nameIdFormat: 'email',
    nameIdField: 'email',
    attributes: [{ name: 'memberOf', field: 'email' }],
    hint: 'Entity ID https://<vpn>/saml/sp/metadata/<tunnel-group>, ACS https://<vpn>/+CSCOE+/saml/sp/acs?tgname=<tunnel-group>',
  },
  {
    id: 'fortinet',
    label: 'Fortinet FortiGate SSL VPN',
    protocol: 'saml',
    nameIdFormat: 'unspecified',
    nameIdField: 'username',
    attributes: [
      { name: 'username', field: 'username' },
      { name: 'email', field: 'email' },
    ],
    hint: 'Entity ID https://<fortigate>/remote/saml/metadata/, ACS https://<fortigate>/remote/saml/login/',
  },
  {
    id: 'citrix',
    label: 'Citrix Gateway / ADC',
    protocol: 'saml',
    nameIdFormat: 'unspecified',
    nameIdField: 'email',
    attributes: [
      { name: `${CLAIMS}/upn`, field: 'email' },
      { name: `${CLAIMS}/emailaddress`, field: 'email' },
    ],
    hint: 'Entity ID and ACS https://<gateway>/cgi/samlauth',
  },
  {
    id: 'exchange',
    label: 'Microsoft Exchange OWA/ECP (WS-Fed)',
    protocol: 'wsfed',
    nameIdFormat: 'unspecified',
    nameIdField: 'email',
    tokenType: 'saml11',
    attributes: [
      { name: `${CLAIMS}/upn`, field: 'email' },
      { name: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/primarysid', field: 'id' },
    ],
    hint: 'Realm https://mail.example.com/owa/ (and a second relying party for /ecp/), reply URL the same',
  },
];

export const findPreset = (id: string | null | undefined) => spPresets.find((p) => p.id === id);
