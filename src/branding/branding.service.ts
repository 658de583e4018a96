import { decodeImage, imageContentTypes, type ImageContentType } from '../lib/images.js';
import type { RequestContext } from '../lib/context.js';
import type { SettingsService } from '../settings/settings.service.js';

/** What the sign-in pages, the portal and the e-mails show of the organisation. */
export interface Branding {
  organisationName: string;
  primaryColor: string;
  hasLogo: boolean;
}

export const logoContentTypes = imageContentTypes;
export type LogoContentType = ImageContentType;

/** Large enough for a crisp header logo, small enough to sit in the settings table and in e-mails. */
export const MAX_LOGO_BYTES = 256 * 1024;

/** The logo as sent by the console: checks the encoding, the size and that the bytes match the type. */
export const decodeLogo = (input: { contentType: LogoContentType; base64: string }): Buffer =>
  decodeImage(input, { code: 'settings.logo_invalid', what: 'logo', maxBytes: MAX_LOGO_BYTES });

export type BrandingService = ReturnType<typeof createBrandingService>;

export function createBrandingService(deps: { settings: SettingsService }) {
  const { settings } = deps;
  return {
    async get(): Promise<Branding> {
      const s = await settings.getResponse();
      return { organisationName: s.organisationName, primaryColor: s.branding.primaryColor, hasLogo: s.branding.hasLogo };
    },
    getLogo: () => settings.getLogo(),
    async setLogo(ctx: RequestContext, input: { contentType: LogoContentType; base64: string }): Promise<void> {
      await settings.setLogo(ctx, { contentType: input.contentType, data: decodeLogo(input) });
    },
    async removeLogo(ctx: RequestContext): Promise<void> {
      if (await settings.getLogo()) await settings.setLogo(ctx, null);
    },
  };
}
