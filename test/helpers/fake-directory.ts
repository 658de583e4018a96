import type { ConnectorFactory } from '../../src/directory/connector-factory.js';
import type { DirectoryConnector } from '../../src/directory/connector.js';

/** A user of the in-memory directory; the rest of the directory's fields are left empty. */
export interface FakeDirectoryUser {
  externalId: string;
  username: string;
  email: string;
  givenName: string;
  surname: string;
  /** Default: username@corp.example.test. */
  upn?: string;
}

/**
 * An AD-like directory in memory whose sync group holds `users`: what Tessera wrote as each one's
 * password (`passwords` by user name, `written` in order) and whether a password binds. For API
 * tests of what rotation and delivery do with the directory; the Samba suites test the real one.
 */
export function fakeDirectory(people: FakeDirectoryUser[]) {
  const passwords = new Map<string, string>();
  const written: { username: string; password: string }[] = [];
  const users = people.map((p) => ({
    externalId: p.externalId,
    username: p.username,
    upn: p.upn ?? `${p.username}@corp.example.test`,
    email: p.email,
    givenName: p.givenName,
    surname: p.surname,
    displayName: `${p.givenName} ${p.surname}`,
    department: null,
    title: null,
    phone: null,
    company: null,
    enabled: true,
  }));
  const factory: ConnectorFactory = () =>
    ({
      kind: 'ad',
      capabilities: { incremental: false, setPassword: true, changeOwnPassword: false },
      testConnection: async () => ({ outcome: 'ok', message: 'ok', steps: [] }),
      listGroupMembers: async () => ({ memberIds: users.map((u) => u.externalId), users, cursor: null, isIncremental: false }),
      setPassword: async (a, password) => {
        passwords.set(a.username, password);
        written.push({ username: a.username, password });
      },
      verifyPassword: async (a, password) => passwords.get(a.username) === password,
      changeOwnPassword: async () => {
        throw new Error('not supported');
      },
      close: async () => {},
    }) satisfies DirectoryConnector;
  return { factory, passwords, written };
}
