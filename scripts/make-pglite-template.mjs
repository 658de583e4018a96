// Build step: an initialised empty PGlite data folder, so the first `npm start` skips initdb.
import { writePgliteTemplate, pgliteTemplatePath } from '../dist/server/db/connection.js';

const started = Date.now();
await writePgliteTemplate(pgliteTemplatePath());
console.log(`PGlite template written to ${pgliteTemplatePath()} in ${Date.now() - started} ms`);
