import { AppError, type ErrorCode } from './errors.js';

/** The raster formats Tessera accepts for pictures it shows (logo, application icons); never SVG, which can carry script. */
export const imageContentTypes = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type ImageContentType = (typeof imageContentTypes)[number];

/** The file signatures of the accepted formats: the bytes must be what the label says. */
const SIGNATURES: Record<ImageContentType, (b: Buffer) => boolean> = {
  // PNG §5.2: 89 50 4E 47 0D 0A 1A 0A
  'image/png': (b) => b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  // JPEG: SOI marker FF D8, then the next marker's FF
  'image/jpeg': (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  // WebP: a RIFF container whose form type is WEBP
  'image/webp': (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * An image as the console sends it (base64 with its content type): checks the encoding, the size
 * and that the bytes are what the label says, and throws `code` with words naming `what` otherwise.
 */
export function decodeImage(input: { contentType: ImageContentType; base64: string }, rule: { code: ErrorCode; what: string; maxBytes: number }): Buffer {
  const { code, what, maxBytes } = rule;
  const text = input.base64.replace(/\s+/g, '');
  if (!BASE64.test(text) || text.length % 4 !== 0) throw new AppError(code, `The ${what} is not valid base64`);
  const data = Buffer.from(text, 'base64');
  if (data.length === 0) throw new AppError(code, `The ${what} is empty`);
  if (data.length > maxBytes) {
    throw new AppError(code, `The ${what} is ${Math.ceil(data.length / 1024)} KB; the largest accepted is ${maxBytes / 1024} KB`);
  }
  if (!SIGNATURES[input.contentType](data)) {
    const actual = imageContentTypes.find((t) => SIGNATURES[t](data));
    throw new AppError(code, `The file is labelled ${input.contentType} but its content is ${actual ?? 'not a PNG, JPEG or WebP image'}`);
  }
  return data;
}
