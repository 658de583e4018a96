import type { AttributeSource } from '../employee-attributes.js';
import type { EmployeeField, NameIdFormat } from './sp.schemas.js';

/**
 * Presets for common service providers: the NameID and attributes each expects, from its
 * vendor's SAML set-up guide; each attribute says what the vendor documents it as (shown in the
 * console). Entity ID, ACS URL and certificate still come from the SP.
 */
export interface SpPreset {
  id: string;
  label: string;
  protocol: 'saml' | 'wsfed';
  nameIdFormat: NameIdFormat;
  nameIdField: EmployeeField;
  attributes: { name: string; field: AttributeSource; documented: string }[];
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
      { name: 'username', field: 'username', documented: 'GitHub: the user name (normalised into the handle)' },
      { name: 'full_name', field: 'displayName', documented: 'GitHub: the full name shown on the profile' },
      { name: 'emails', field: 'email', documented: 'GitHub: the e-mail addresses' },
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
      { name: 'email', field: 'email', documented: 'GitLab: email (or mail)' },
      { name: 'first_name', field: 'firstName', documented: 'GitLab: first_name (or firstname, givenName)' },
      { name: 'last_name', field: 'lastName', documented: 'GitLab: last_name (or lastname, surname)' },
      { name: 'username', field: 'username', documented: 'GitLab: username (or nickname)' },
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
      { name: 'firstName', field: 'firstName', documented: 'Okta profile attribute firstName (the IdP attribute mapping)' },
      { name: 'lastName', field: 'lastName', documented: 'Okta profile attribute lastName' },
      { name: 'email', field: 'email', documented: 'Okta profile attribute email' },
    ],
    hint: 'Entity ID and ACS from the Okta identity provider page',
  },
  {
    id: 'cisco-asa',
    label: 'Cisco ASA AnyConnect',
    protocol: 'saml',
    nameIdFormat: 'email',
    nameIdField: 'email',
    attributes: [{ name: 'memberOf', field: 'groups', documented: 'Cisco: group policy and DAP mapping read memberOf, one value per group name' }],
    hint: 'Entity ID https://<vpn>/saml/sp/metadata/<tunnel-group>, ACS https://<vpn>/+CSCOE+/saml/sp/acs?tgname=<tunnel-group>',
  },
  {
    id: 'fortinet',
    label: 'Fortinet FortiGate SSL VPN',
    protocol: 'saml',
    nameIdFormat: 'unspecified',
    nameIdField: 'username',
    attributes: [
      { name: 'username', field: 'username', documented: "FortiGate: config user saml, set user-name 'username'" },
      { name: 'email', field: 'email', documented: 'FortiGate: e-mail of the user (optional)' },
      { name: 'group', field: 'groups', documented: "FortiGate: config user saml, set group-name 'group'; user group match by group name" },
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
      { name: `${CLAIMS}/upn`, field: 'upn', documented: 'Citrix: the UPN claim, the directory userPrincipalName (FAS and StoreFront look the user up by it)' },
      { name: `${CLAIMS}/emailaddress`, field: 'email', documented: 'Citrix: the e-mail claim' },
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
      { name: `${CLAIMS}/upn`, field: 'upn', documented: 'Exchange (AD FS claim rule): User-Principal-Name as UPN' },
      {
        name: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/primarysid',
        field: 'objectSid',
        documented: 'Exchange (AD FS claim rule): User-SID as Primary SID, the AD objectSid (sync it from AD); Exchange finds the mailbox by it',
      },
    ],
    hint: 'Realm https://mail.example.com/owa/ (and a second relying party for /ecp/), reply URL the same',
  },
];

export const findPreset = (id: string | null | undefined) => spPresets.find((p) => p.id === id);
