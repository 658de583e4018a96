import { z } from 'zod';
import { imageContentTypes } from '../lib/images.js';

export const iconBody = z.object({ contentType: z.enum(imageContentTypes), base64: z.string().min(1) }).strict();
