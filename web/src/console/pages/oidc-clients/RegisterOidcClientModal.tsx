import { ApplicationAccessField } from '../../components/ApplicationAccessField';
import { ApplicationIconField } from '../../components/ApplicationIconField';
import { Anchor, Button, Checkbox, Group, Modal, NativeSelect, SegmentedControl, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { FormErrorSummary, useServerForm } from '../../components/forms';
import {
  OIDC_AUTH_METHODS,
  OIDC_CLAIMS,
  OIDC_GRANT_TYPES,
  OIDC_SCOPES,
  useCreateOidcClient,
  useUpdateOidcClient,
  type OidcClient,
  type OidcClientInput,
  type OidcClientKind,
  type OidcClientWithSecret,
} from '../../api/oidc-clients';

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
const orNull = (text: string) => text.trim() || null;

const authLabels: Record<string, string> = {
  client_secret_basic: 'Client secret (HTTP Basic)',
  client_secret_post: 'Client secret (form post)',
  client_secret_jwt: 'Client secret JWT',
  private_key_jwt: 'Private key JWT (client keys by URL)',
  none: 'None — public client, PKCE only',
};

/**
 * "Register OIDC client" dialog: an ordinary web application, or an Entra ID External
 * Authentication Method app (tenant id, Entra application id, JWKS URL). With `editing`, the same
 * form changes that client ("Edit OIDC client"); its kind stays.
 */

// The client as the server answers it lists plain strings; the form holds what registration accepts.
type GrantType = NonNullable<OidcClientInput['grantTypes']>[number];
type AuthMethod = NonNullable<OidcClientInput['tokenEndpointAuthMethod']>;
type Scope = NonNullable<OidcClientInput['scopes']>[number];
type Claim = NonNullable<OidcClientInput['claims']>[number];
type GroupsClaim = NonNullable<OidcClientInput['groupsClaim']>;
export function RegisterOidcClientModal({
  opened,
  editing,
  onClose,
  onCreated,
}: {
  opened: boolean;
  editing?: OidcClient | null;
  onClose: () => void;
  onCreated: (created: OidcClientWithSecret) => void;
}) {
  const createMutation = useCreateOidcClient();
  const updateMutation = useUpdateOidcClient();
  const form = useServerForm();
  const [kind, setKind] = useState<OidcClientKind>('web');
  const [name, setName] = useState('');
  const [redirectUris, setRedirectUris] = useState('');
  const [postLogoutUris, setPostLogoutUris] = useState('');
  const [grantTypes, setGrantTypes] = useState<GrantType[]>(['authorization_code', 'refresh_token']);
  const [authMethod, setAuthMethod] = useState<AuthMethod>('client_secret_basic');
  const [scopes, setScopes] = useState<Scope[]>(['openid', 'profile', 'email', 'offline_access']);
  const [claims, setClaims] = useState<Claim[]>(['email', 'name']);
  const [groupsClaim, setGroupsClaim] = useState<GroupsClaim>('names');
  const [loginUri, setLoginUri] = useState('');
  const [backchannelUri, setBackchannelUri] = useState('');
  const [jwksUri, setJwksUri] = useState('');
  const [firstParty, setFirstParty] = useState(true);
  const [tenantId, setTenantId] = useState('');
  const [appId, setAppId] = useState('');
  const [tenantJwks, setTenantJwks] = useState('');
  const [submitted, setSubmitted] = useState(false);

  useEffect(() => {
    if (opened) {
      const e = editing;
      const web = e?.kind === 'web' ? e : undefined;
      setKind(e?.kind ?? 'web');
      setName(e?.name ?? '');
      setRedirectUris(web ? web.redirectUris.join('\n') : '');
      setPostLogoutUris(e?.postLogoutRedirectUris.join('\n') ?? '');
      setLoginUri(e?.initiateLoginUri ?? '');
      setBackchannelUri(e?.backchannelLogoutUri ?? '');
      setJwksUri(e?.jwksUri ?? '');
      setGrantTypes(web ? (web.grantTypes as GrantType[]) : ['authorization_code', 'refresh_token']);
      setAuthMethod(web ? (web.tokenEndpointAuthMethod as AuthMethod) : 'client_secret_basic');
      setScopes(web ? (web.scopes as Scope[]) : ['openid', 'profile', 'email', 'offline_access']);
      setClaims(web ? (web.claims as Claim[]) : ['email', 'name']);
      setGroupsClaim(web ? (web.groupsClaim as GroupsClaim) : 'names');
      setFirstParty(e?.firstParty ?? true);
      setTenantId(e?.eam?.tenantId ?? '');
      setAppId(e?.eam?.appId ?? '');
      setTenantJwks(e?.eam?.jwksUrl ?? '');
      setSubmitted(false);
      form.clear();
    }
  }, [opened, editing]); // reset only when the dialog opens

  const errors = {
    name: name.trim() ? undefined : 'Enter a name',
    redirectUris:
      kind === 'web' && grantTypes.includes('authorization_code') && lines(redirectUris).length === 0 ? 'Enter at least one redirect URI' : undefined,
    tenantId: kind === 'eam' && !tenantId.trim() ? 'Enter the tenant id' : undefined,
    appId: kind === 'eam' && !appId.trim() ? 'Enter the application id' : undefined,
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.values(errors).some(Boolean)) return;
    const input: OidcClientInput =
      kind === 'eam'
        ? { name: name.trim(), kind, eam: { tenantId: tenantId.trim(), appId: appId.trim(), ...(tenantJwks.trim() ? { jwksUrl: tenantJwks.trim() } : {}) } }
        : {
            name: name.trim(),
            kind,
            redirectUris: lines(redirectUris),
            postLogoutRedirectUris: lines(postLogoutUris),
            grantTypes,
            tokenEndpointAuthMethod: authMethod,
            scopes,
            claims,
            groupsClaim,
            firstParty,
            initiateLoginUri: orNull(loginUri),
            backchannelLogoutUri: orNull(backchannelUri),
            jwksUri: orNull(jwksUri),
          };
    if (editing) {
      const { kind: _kind, ...patch } = input;
      void form.submit(() => updateMutation.mutateAsync({ id: editing.id, patch }), { onSuccess: onCreated });
    } else {
      void form.submit(() => createMutation.mutateAsync(input), { onSuccess: onCreated });
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={editing ? 'Edit OIDC client' : 'Register OIDC client'} centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title={editing ? 'Could not save the client' : 'Could not register the client'} />
          {editing ? null : (
            <SegmentedControl
              aria-label="Kind"
              value={kind}
              onChange={(v) => setKind(v as OidcClientKind)}
              data={[
                { value: 'web', label: 'Web application' },
                { value: 'eam', label: 'Entra ID external authentication' },
              ]}
            />
          )}
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            {...form.field('name', submitted ? errors.name : undefined)}
            data-autofocus
          />
          {kind === 'eam' ? (
            <>
              <Text size="sm" c="dimmed">
                Entra ID sends employees here as a second factor; the steps in Entra are in{' '}
                <Anchor href="/docs/entra-eam" target="_blank" rel="noopener noreferrer">
                  Setting up Entra ID external authentication
                </Anchor>
                .
              </Text>
              <TextInput
                label="Tenant id"
                description="The Directory (tenant) ID, a GUID."
                value={tenantId}
                onChange={(e) => setTenantId(e.currentTarget.value)}
                {...form.field('eam.tenantId', submitted ? errors.tenantId : undefined)}
              />
              <TextInput
                label="Entra application id"
                description="The app registration Entra names in its id_token_hint (audience)."
                value={appId}
                onChange={(e) => setAppId(e.currentTarget.value)}
                {...form.field('eam.appId', submitted ? errors.appId : undefined)}
              />
              <TextInput
                label="Tenant JWKS URL"
                description="Optional; defaults to the tenant's login.microsoftonline.com keys."
                value={tenantJwks}
                onChange={(e) => setTenantJwks(e.currentTarget.value)}
                {...form.field('eam.jwksUrl')}
              />
            </>
          ) : (
            <>
              <Textarea
                label="Redirect URIs"
                description="One per line."
                autosize
                minRows={2}
                value={redirectUris}
                onChange={(e) => setRedirectUris(e.currentTarget.value)}
                {...form.field('redirectUris', submitted ? errors.redirectUris : undefined)}
              />
              <Textarea
                label="Post-logout redirect URIs"
                description="One per line (optional)."
                autosize
                minRows={1}
                value={postLogoutUris}
                onChange={(e) => setPostLogoutUris(e.currentTarget.value)}
                {...form.field('postLogoutRedirectUris')}
              />
              <Checkbox.Group label="Grant types" value={grantTypes} onChange={setGrantTypes} error={form.errorFor('grantTypes')}>
                <Group mt={4}>
                  {OIDC_GRANT_TYPES.map((g) => (
                    <Checkbox key={g} value={g} label={g} />
                  ))}
                </Group>
              </Checkbox.Group>
              <NativeSelect
                label="Client authentication"
                data={OIDC_AUTH_METHODS.map((m) => ({ value: m, label: authLabels[m] }))}
                value={authMethod}
                onChange={(e) => setAuthMethod(e.currentTarget.value as AuthMethod)}
                {...form.field('tokenEndpointAuthMethod')}
              />
              {authMethod === 'private_key_jwt' ? (
                <TextInput label="Client JWKS URL" value={jwksUri} onChange={(e) => setJwksUri(e.currentTarget.value)} {...form.field('jwksUri')} />
              ) : null}
              <Checkbox.Group label="Allowed scopes" value={scopes} onChange={setScopes}>
                <Group mt={4}>
                  {OIDC_SCOPES.map((s) => (
                    <Checkbox key={s} value={s} label={s} />
                  ))}
                </Group>
              </Checkbox.Group>
              <Checkbox.Group label="Employee attributes in claims" value={claims} onChange={setClaims}>
                <Group mt={4}>
                  {OIDC_CLAIMS.map((c) => (
                    <Checkbox key={c} value={c} label={c} />
                  ))}
                </Group>
              </Checkbox.Group>
              <NativeSelect
                label="Groups claim"
                description="What `groups` lists (with the groups scope and attribute): the employee's directory and local groups."
                data={[
                  { value: 'names', label: 'Group names' },
                  { value: 'ids', label: 'Tessera group ids' },
                  { value: 'none', label: 'Not sent' },
                ]}
                value={groupsClaim}
                onChange={(e) => setGroupsClaim(e.currentTarget.value as GroupsClaim)}
              />
              <TextInput
                label="Login URL"
                description="Shown in employees' “my applications” (optional)."
                value={loginUri}
                onChange={(e) => setLoginUri(e.currentTarget.value)}
                {...form.field('initiateLoginUri')}
              />
              <TextInput
                label="Back-channel logout URI"
                description="Optional."
                value={backchannelUri}
                onChange={(e) => setBackchannelUri(e.currentTarget.value)}
                {...form.field('backchannelLogoutUri')}
              />
              <Switch label="First-party application (no consent page)" checked={firstParty} onChange={(e) => setFirstParty(e.currentTarget.checked)} />
            </>
          )}
          {editing ? <ApplicationIconField base="/api/oidc/clients" id={editing.id} /> : null}
          {editing ? <ApplicationAccessField protocol="oidc" id={editing.id} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={form.saving}>
              {editing ? 'Save' : 'Register'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
