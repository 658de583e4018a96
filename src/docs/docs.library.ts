import fs from 'node:fs';
import path from 'node:path';

/**
 * The documents Tessera serves at /docs: the Markdown files of one folder (the package's docs/,
 * where the repository keeps its protocol contracts). A document is named by its file name without
 * `.md`; only names found in the folder's listing are ever read, so no request can name a path
 * (`..`, a slash, a NUL or any encoding of them is simply not in the listing).
 */
export interface DocsLibrary {
  /** The documents' names, sorted, read from the folder at each call (a file added later is listed). */
  list(): string[];
  /** The Markdown of a listed document, or undefined for any other name. */
  read(name: string): string | undefined;
}

/** What a document's file name must look like to be served: lower-case words joined by hyphens. */
const DOC_FILE = /^([a-z0-9][a-z0-9-]*)\.md$/;

export function createDocsLibrary(opts: { dir: string }): DocsLibrary {
  const list = (): string[] => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(opts.dir, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter((e) => e.isFile())
      .map((e) => DOC_FILE.exec(e.name)?.[1])
      .filter((n): n is string => n !== undefined)
      .sort();
  };
  return {
    list,
    read(name) {
      // The name is compared with the listing, never joined to a path as the client wrote it.
      const found = list().find((n) => n === name);
      if (!found) return undefined;
      try {
        return fs.readFileSync(path.join(opts.dir, `${found}.md`), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
