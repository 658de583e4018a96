import { z } from 'zod';
import { logoContentTypes } from './branding.service.js';

/** What the sign-in pages and e-mails show before anyone is signed in. */
export const brandingAnswer = z.object({
  organisationName: z.string(),
  primaryColor: z.string(),
  hasLogo: z.boolean(),
  /** The sign-in page offers e-mail + password only when policy allows it. */
  allowPasswordSignIn: z.boolean(),
  /**
   * Whether passkeys on a device (platform authenticators) may be used: when not, every way in is
   * a security key, and the pages say "security key" rather than "passkey".
   */
  allowPlatform: z.boolean(),
});

/** A logo upload: its content type and its bytes in base64. */
export const logoBody = z.object({ contentType: z.enum(logoContentTypes), base64: z.string().min(1) }).strict();
