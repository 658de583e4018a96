// The layout's rules, checked on the source's own imports (run by `npm test`; by hand: `node scripts/check-architecture.mjs`):
// 1. no import cycles among source files (type-only imports count too: a cycle of types is still a
//    knot a reader has to untie);
// 2. src/http/ is infrastructure: it imports no feature (only lib/, security/, config/, db/ and
//    other http/ files), and neither do lib/ and db/ (db/schema.ts, the barrel drizzle-kit reads,
//    is the one exception: it re-exports every feature's tables);
// 3. SQL lives in repositories: only `*.repository.ts`, `*.tables.ts`, `*.adapter.ts` (the bridge
//    oidc-provider needs) and src/db/ import drizzle-orm's query builders or run queries;
// 4. a feature reaches another feature only through that feature's service: no file imports the
//    repository or the tables of another feature;
// 5. every feature's error codes are registered in src/app/codes.ts. One exception: a `*.tables.ts` may import another
//    feature's `*.tables.ts` for foreign keys, and only names it uses inside `references(() => …)`;
// 6. the workstation agent (agent/src) imports nothing from src/: it is installed on computers alone.
// Usage: node scripts/check-architecture.mjs [--json]
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const src = path.join(root, 'src');

/** Folders of src/ that are infrastructure, not features. */
const INFRASTRUCTURE = new Set(['http', 'lib', 'db', 'config', 'security', 'jobs']);
/** Folders allowed to import features: the composition root, the command line and the entry point. */
const COMPOSERS = new Set(['app', 'cli', '']);
const SQL_FILE = /\.(repository|tables|adapter)\.ts$/;

function listSources(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/** The relative imports of a file (static, dynamic and re-exports), resolved to files. */
function importsOf(file, text) {
  const found = [];
  const pattern = /^\s*(?:import|export)\s+(type\s+)?(?:([^'";]*?)\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(pattern)) {
    const spec = m[3] ?? m[4];
    const names = [...(m[2] ?? '').matchAll(/\{([^}]*)\}/g)]
      .flatMap((b) => b[1].split(','))
      .map((n) =>
        n
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)
          .pop(),
      )
      .filter(Boolean);
    found.push({ spec, typeOnly: Boolean(m[1]), names });
  }
  return found.map(({ spec, typeOnly, names }) => {
    if (!spec.startsWith('.')) return { spec, typeOnly, names, target: null };
    const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
    return { spec, typeOnly, names, target: fs.existsSync(target) ? target : null };
  });
}

/**
 * A tables file may name another feature's table for a foreign key: every imported name is used
 * only as `references(() => name.column…)` (drizzle resolves it lazily; no query is built there).
 */
function isForeignKeyImport(file, text, imp) {
  if (!file.endsWith('.tables.ts') || !imp.target.endsWith('.tables.ts') || imp.typeOnly || imp.names.length === 0) return false;
  // Imports and comments out: a comment may well say "employees".
  const body = text
    .replace(/^\s*import\s[^;]*;/gm, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  return imp.names.every((n) => {
    const uses = body.match(new RegExp(`\\b${n}\\b`, 'g')) ?? [];
    const refs = body.match(new RegExp(`references\\(\\s*\\(\\)\\s*=>\\s*${n}\\.`, 'g')) ?? [];
    return uses.length > 0 && uses.length === refs.length;
  });
}

const rel = (f) => path.relative(root, f);
/** The feature a file belongs to: its first folder under src/ ('' for files directly in src/). */
const featureOf = (f) => {
  const parts = path.relative(src, f).split(path.sep);
  return parts.length > 1 ? parts[0] : '';
};

const files = listSources(src);
const graph = new Map();
const problems = [];

for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const imports = importsOf(file, text);
  graph.set(
    file,
    imports.filter((i) => i.target).map((i) => i.target),
  );
  const feature = featureOf(file);
  const isBarrel = rel(file) === 'src/db/schema.ts';

  for (const imp of imports) {
    if (imp.target) {
      const other = featureOf(imp.target);
      const otherIsFeature = !INFRASTRUCTURE.has(other) && !COMPOSERS.has(other);
      if (INFRASTRUCTURE.has(feature) && otherIsFeature && !isBarrel) {
        problems.push(`${rel(file)}: infrastructure (src/${feature}/) imports the feature file ${rel(imp.target)}`);
      }
      if (other !== feature && otherIsFeature && SQL_FILE.test(imp.target) && !isBarrel && !COMPOSERS.has(feature) && !isForeignKeyImport(file, text, imp)) {
        problems.push(`${rel(file)}: reaches into another feature's ${path.basename(imp.target)}; go through its service`);
      }
    }
    const isTables = imp.target && ((SQL_FILE.test(imp.target) && imp.target.endsWith('.tables.ts')) || rel(imp.target).startsWith('src/db/schema'));
    if (isTables && !imp.typeOnly && !SQL_FILE.test(file) && featureOf(file) !== 'db') {
      problems.push(`${rel(file)}: imports table definitions (${rel(imp.target)}) outside a repository`);
    }
    const isQueryBuilder = imp.spec === 'drizzle-orm' || imp.spec.startsWith('drizzle-orm/');
    if (isQueryBuilder && !imp.typeOnly && !SQL_FILE.test(file) && featureOf(file) !== 'db') {
      problems.push(`${rel(file)}: imports ${imp.spec} outside a repository: SQL belongs in a *.repository.ts`);
    }
  }
  if (!SQL_FILE.test(file) && featureOf(file) !== 'db' && /\b(?:db|tx)\s*\.\s*(?:select|insert|update|delete|execute)\s*\(/.test(text)) {
    problems.push(`${rel(file)}: runs a query outside a repository`);
  }
}

// 5. Every feature's error codes are registered in the central list (src/app/codes.ts); an
//    unregistered code would answer 500 at run time though it type-checks.
const central = fs.existsSync(path.join(src, 'app/codes.ts')) ? fs.readFileSync(path.join(src, 'app/codes.ts'), 'utf8') : '';
const registered = new Set((/for \(const list of \[([^\]]*)\]\)\s*registerErrorCodes/.exec(central)?.[1] ?? '').split(',').map((x) => x.trim()));
for (const file of files.filter((f) => f.endsWith('.codes.ts'))) {
  for (const [, list] of fs.readFileSync(file, 'utf8').matchAll(/^export const (\w+ErrorCodes)\b/gm)) {
    if (!registered.has(list)) problems.push(`${rel(file)}: ${list} is not registered in src/app/codes.ts`);
  }
}

// Cycles: Tarjan's strongly connected components over the import graph.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function visit(v) {
  state.set(v, { index, low: index, onStack: true });
  index += 1;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!state.has(w)) {
      visit(w);
      state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
    } else if (state.get(w).onStack) {
      state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
    }
  }
  if (state.get(v).low === state.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    const selfLoop = (graph.get(v) ?? []).includes(v);
    if (component.length > 1 || selfLoop) cycles.push(component.map(rel).sort());
  }
}
for (const f of files) if (!state.has(f)) visit(f);
for (const c of cycles) problems.push(`import cycle of ${c.length} files: ${c.join(' → ')}`);

// 6. the workstation agent (agent/) is a program of its own that customers install on computers:
//    it imports nothing of the server (src/), only Node and its own dependencies.
const agentSrc = path.join(root, 'agent', 'src');
if (fs.existsSync(agentSrc)) {
  for (const file of listSources(agentSrc)) {
    for (const imp of importsOf(file, fs.readFileSync(file, 'utf8'))) {
      if (imp.target?.startsWith(`${src}${path.sep}`)) problems.push(`${rel(file)}: the agent imports the server's ${rel(imp.target)}; it must stand alone`);
    }
  }
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ files: files.length, problems }, null, 2));
} else if (problems.length) {
  console.error(`architecture check: ${problems.length} problem(s) in ${files.length} files`);
  for (const p of problems) console.error(`  ${p}`);
} else {
  console.log(`architecture check: ${files.length} files, no cycles, layers respected`);
}
process.exit(problems.length ? 1 : 0);
