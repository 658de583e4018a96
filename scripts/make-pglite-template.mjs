// Build step: the data folder of a new embedded database, initialised and migrated, so the first
// `npm start` runs neither initdb nor the migrations (src/db/pglite-template.ts).
import { pgliteTemplatePath } from '../dist/server/db/connection.js';
import { writePgliteTemplate } from '../dist/server/db/pglite-template.js';

const started = Date.now();
const { applied } = await writePgliteTemplate(pgliteTemplatePath());
console.log(`PGlite template with ${applied.length} migrations written to ${pgliteTemplatePath()} in ${Date.now() - started} ms`);
