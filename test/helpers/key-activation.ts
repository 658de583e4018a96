import type { Page } from 'playwright-core';

/**
 * An employee activating a reserved hardware key on the portal's /enroll page (or the page a mail
 * linked to): types the e-mail address and the activation code and presses the button; the page's
 * virtual authenticator (addVirtualAuthenticator) answers the WebAuthn ceremony. The caller waits
 * for what the page says next.
 */
export async function submitKeyActivation(page: Page, email: string, code: string, url = '/enroll'): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { name: 'Activate your security key', exact: true, level: 1 }).waitFor();
  await page.getByRole('textbox', { name: 'E-mail address' }).fill(email);
  await page.getByRole('textbox', { name: 'Activation code' }).fill(code);
  await page.getByRole('button', { name: 'Activate my key' }).click();
}

/** Chromium's virtual CTAP2 device always has this AAGUID (device/fido/virtual_ctap2_device.cc); CDP cannot choose another. */
export const CHROMIUM_VIRTUAL_AAGUID = '01020304-0506-0708-0102-030405060708';
