import { DirectoryError, type DirectoryConnector } from './connector.js';
import { adSettings } from './directory.schemas.js';
import { createEntraConnector } from './entra/entra-connector.js';
import { entraSettings } from './entra/entra.schemas.js';
import { createAdConnector } from './ldap/ad-connector.js';

/** The domain fields a connector is built from. */
export interface ConnectorSource {
  kind: string;
  /** The domain's name (AD: its DNS name, the default controller address). */
  name?: string;
  settings: unknown;
}

export type ConnectorFactory = (domain: ConnectorSource, secret: string | null) => DirectoryConnector;

/**
 * One case per kind of directory. The secret is the opened (unsealed) service-account secret, or
 * null when none is saved (the connector then refuses every operation with `credentials_missing`).
 */
export const createConnector: ConnectorFactory = (domain, secret) => {
  switch (domain.kind) {
    case 'ad': {
      const settings = adSettings.parse(domain.settings);
      const urls = settings.urls.length > 0 ? settings.urls : domain.name ? [`${settings.transport === 'ldaps' ? 'ldaps' : 'ldap'}://${domain.name}`] : [];
      return createAdConnector({ ...settings, urls }, secret);
    }
    case 'entra':
      return createEntraConnector(entraSettings.parse(domain.settings), secret);
    default:
      throw new DirectoryError('not_supported', `No connector for directories of kind "${domain.kind}"`);
  }
};
