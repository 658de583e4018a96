import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import type { RequestContext } from '../lib/context.js';
import { decodeImage, type ImageContentType } from '../lib/images.js';
import * as repo from './application-icon.repository.js';

/** An icon is shown at 48 px on the portal: a few tens of KB is plenty; the limit keeps rows small. */
export const MAX_ICON_BYTES = 128 * 1024;

export type IconProtocol = 'oidc' | 'saml' | 'wsfed';

/** The application the icon belongs to, as its protocol's service found it (the caller checks it exists). */
export interface IconOwner {
  protocol: IconProtocol;
  id: string;
  name: string;
}

export type ApplicationIconService = ReturnType<typeof createApplicationIconService>;

/** Icons of SSO applications: set and removed by administrators (audited), shown on the portal. */
export function createApplicationIconService(deps: { db: Db; audit: AuditService }) {
  const { db, audit } = deps;
  // The audit target types each protocol's own registry uses, so one filter finds all of an application's entries.
  const TARGET_TYPES: Record<IconProtocol, string> = { oidc: 'oidc_client', saml: 'saml_sp', wsfed: 'wsfed_rp' };
  const target = (app: IconOwner) => ({ type: TARGET_TYPES[app.protocol], id: app.id, label: app.name });
  return {
    get: (applicationId: string) => repo.findIcon(db, applicationId),
    /** For each application that has an icon, a version for its address (so a new icon is not served from cache). */
    versions: (applicationIds: string[]) => repo.findIconVersions(db, applicationIds),
    async set(ctx: RequestContext, app: IconOwner, input: { contentType: ImageContentType; base64: string }): Promise<void> {
      const data = decodeImage(input, { code: 'applications.icon_invalid', what: 'icon', maxBytes: MAX_ICON_BYTES });
      await db.transaction(async (tx) => {
        await repo.upsertIcon(tx, { applicationId: app.id, protocol: app.protocol, contentType: input.contentType, data });
        await audit.record(ctx, { action: 'application.icon_set', target: target(app), details: { contentType: input.contentType, bytes: data.length } }, tx);
      });
    },
    async remove(ctx: RequestContext, app: IconOwner): Promise<void> {
      await db.transaction(async (tx) => {
        if (await repo.deleteIcon(tx, app.id)) await audit.record(ctx, { action: 'application.icon_removed', target: target(app) }, tx);
      });
    },
    /** The application itself was removed: its icon goes with it (the removal is audited by its protocol). */
    async forget(applicationId: string): Promise<void> {
      await repo.deleteIcon(db, applicationId);
    },
  };
}
