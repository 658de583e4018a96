/**
 * The e-mails Tessera sends, as a plain-text part and an HTML part in the organisation's colours.
 *
 * The HTML is what mail clients render reliably: tables for layout, inline styles only (Gmail and
 * Outlook drop <style> blocks and ignore flex/grid), no script, no external CSS, one image (the
 * logo, served at a stable public URL). Every piece of text that comes from data is escaped.
 */

export interface MailBranding {
  organisationName: string;
  /** #rrggbb; anything else falls back to the default blue. */
  primaryColor: string;
  hasLogo: boolean;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const DEFAULT_COLOR = '#1c7ed6';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A subject is one header line: no line breaks, no runaway length. */
const oneLine = (value: string) =>
  value
    .replace(/[\r\n\t]+/g, ' ')
    .trim()
    .slice(0, 200);

const safeColor = (value: string) => (/^#[0-9a-fA-F]{6}$/.test(value) ? value.toLowerCase() : DEFAULT_COLOR);

/** Black or white text, whichever reads better on the button colour (WCAG relative luminance). */
function textColorOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.35 ? '#111111' : '#ffffff';
}

/** Only http(s) URLs become links: a `javascript:` or `data:` URL in a template would be a hole. */
const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** "Sunday 1 March 2026 at 12:00 UTC": spelt out, so no reader mistakes day and month; the same on every ICU build. */
function formatExpiry(at: Date): string {
  const hh = String(at.getUTCHours()).padStart(2, '0');
  const mm = String(at.getUTCMinutes()).padStart(2, '0');
  return `${DAYS[at.getUTCDay()]} ${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()} at ${hh}:${mm} UTC`;
}

const greeting = (firstName: string | null | undefined) => (firstName?.trim() ? `Hello ${firstName.trim()},` : 'Hello,');

interface Layout {
  branding: MailBranding;
  publicUrl: string;
  title: string;
  /** Paragraphs of plain text (escaped here). */
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Small print under the button. */
  footnotes?: string[];
}

function renderHtml(l: Layout): string {
  const color = safeColor(l.branding.primaryColor);
  // Text in the brand colour only where it stays readable on white; a pale colour gets dark text.
  const textColor = textColorOn(color) === '#ffffff' ? color : '#212529';
  const org = escapeHtml(l.branding.organisationName);
  const font = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
  const p = (text: string, style = 'margin:0 0 16px;font-size:15px;line-height:22px;color:#212529') => `<p style="${style}">${escapeHtml(text)}</p>`;
  const logo = l.branding.hasLogo
    ? `<img src="${escapeHtml(`${l.publicUrl.replace(/\/+$/, '')}/api/branding/logo`)}" alt="${org}" height="40" style="display:block;height:40px;max-width:200px;border:0">`
    : `<span style="font-size:20px;font-weight:bold;color:${textColor}">${org}</span>`;
  const action =
    l.action && isWebUrl(l.action.url)
      ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px"><tr>
<td style="border-radius:6px;background:${color}"><a href="${escapeHtml(l.action.url)}" style="display:inline-block;padding:12px 24px;${font};font-size:15px;font-weight:bold;color:${textColorOn(color)};text-decoration:none;border-radius:6px">${escapeHtml(l.action.label)}</a></td>
</tr></table>
${p('If the button does not work, copy this address into your browser:', 'margin:0 0 4px;font-size:13px;line-height:18px;color:#495057')}
<p style="margin:0 0 16px;font-size:13px;line-height:18px;word-break:break-all"><a href="${escapeHtml(l.action.url)}" style="color:${textColor}">${escapeHtml(l.action.url)}</a></p>`
      : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(l.title)}</title></head>
<body style="margin:0;padding:0;background:#f1f3f5">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f1f3f5;${font}"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:560px;background:#ffffff;border-radius:8px;border-top:4px solid ${color}">
<tr><td style="padding:24px 32px 8px">${logo}</td></tr>
<tr><td style="padding:16px 32px 8px;${font}">
<h1 style="margin:0 0 16px;font-size:20px;line-height:28px;color:#212529">${escapeHtml(l.title)}</h1>
${l.paragraphs.map((x) => p(x)).join('\n')}
${action}
${(l.footnotes ?? []).map((x) => p(x, 'margin:0 0 12px;font-size:13px;line-height:18px;color:#495057')).join('\n')}
</td></tr>
<tr><td style="padding:16px 32px 24px;border-top:1px solid #e9ecef;${font};font-size:12px;line-height:18px;color:#868e96">${org}</td></tr>
</table>
</td></tr></table>
</body></html>
`;
}

function renderText(l: Layout): string {
  const parts = [l.title, '', ...l.paragraphs.flatMap((x) => [x, ''])];
  if (l.action && isWebUrl(l.action.url)) parts.push(`${l.action.label}:`, l.action.url, '');
  for (const note of l.footnotes ?? []) parts.push(note, '');
  parts.push('-- ', l.branding.organisationName);
  return `${parts.join('\n')}\n`;
}

function render(subject: string, layout: Layout): RenderedMail {
  return { subject: oneLine(subject), text: renderText(layout), html: renderHtml(layout) };
}

/** The invitation an employee receives: a one-time link to set up their sign-in. */
export function renderInvitationMail(input: {
  branding: MailBranding;
  publicUrl: string;
  firstName: string | null;
  link: string;
  expiresAt: Date | string;
}): RenderedMail {
  const org = input.branding.organisationName;
  const expires = formatExpiry(new Date(input.expiresAt));
  return render(`Set up your ${org} sign-in`, {
    branding: input.branding,
    publicUrl: input.publicUrl,
    title: `Set up your ${org} sign-in`,
    paragraphs: [
      greeting(input.firstName),
      `${org} signs you in to its applications without a password, with a passkey or a security key. Open the link below on the device you want to use, and follow the steps: it takes about a minute.`,
    ],
    action: { label: 'Set up my sign-in', url: input.link },
    footnotes: [
      `This link is personal, works once, and expires on ${expires}.`,
      'If you did not expect this e-mail, you can ignore it: nothing happens until the link is used.',
    ],
  });
}

/** Any other message to a person: a title, a few paragraphs, and perhaps one button. */
export function renderNotificationMail(input: {
  branding: MailBranding;
  publicUrl: string;
  firstName: string | null;
  title: string;
  paragraphs: string[];
  action?: { label: string; url: string };
}): RenderedMail {
  return render(input.title, {
    branding: input.branding,
    publicUrl: input.publicUrl,
    title: input.title,
    paragraphs: [greeting(input.firstName), ...input.paragraphs],
    action: input.action,
  });
}
