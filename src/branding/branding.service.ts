import { AppError } from '../lib/errors.js';
import type { RequestContext } from '../lib/context.js';
import type { SettingsService } from '../settings/settings.service.js';

/** What the sign-in pages, the portal and the e-mails show of the organisation. */
export interface Branding {
  organisationName: string;
  primaryColor: string;
  hasLogo: boolean;
}

export const logoContentTypes = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type LogoContentType = (typeof logoContentTypes)[number];

/** Large enough for a crisp header logo, small enough to sit in the settings table and in e-mails. */
export const MAX_LOGO_BYTES = 256 * 1024;

/** The file signatures of the accepted formats: the bytes must be what the label says. */
const SIGNATURES: Record<LogoContentType, (b: Buffer) => boolean> = {
  // PNG §5.2: 89 50 4E 47 0D 0A 1A 0A
  'image/png': (b) => b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  // JPEG: SOI marker FF D8, then the next marker's FF
  'image/jpeg': (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  // WebP: a RIFF container whose form type is WEBP
  'image/webp': (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The logo as sent by the console: checks the encoding, the size and that the bytes match the type. */
export function decodeLogo(input: { contentType: LogoContentType; base64: string }): Buffer {
  const text = input.base64.replace(/\s+/g, '');
  if (!BASE64.test(text) || text.length % 4 !== 0) throw new AppError('settings.logo_invalid', 'The logo is not valid base64');
  const data = Buffer.from(text, 'base64');
  if (data.length === 0) throw new AppError('settings.logo_invalid', 'The logo is empty');
  if (data.length > MAX_LOGO_BYTES) {
    throw new AppError('settings.logo_invalid', `The logo is ${Math.ceil(data.length / 1024)} KB; the largest accepted is ${MAX_LOGO_BYTES / 1024} KB`);
  }
  if (!SIGNATURES[input.contentType](data)) {
    const actual = (Object.keys(SIGNATURES) as LogoContentType[]).find((t) => SIGNATURES[t](data));
    throw new AppError('settings.logo_invalid', `The file is labelled ${input.contentType} but its content is ${actual ?? 'not a PNG, JPEG or WebP image'}`);
  }
  return data;
}

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
