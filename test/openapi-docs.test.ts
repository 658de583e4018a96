import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCESS_HEADING } from '../src/http/app.js';
import { createTestApp, type TestApp } from './helpers/app.js';

/**
 * The API reference (/api/docs, from GET /api/openapi.json) is documentation a person can use:
 * every operation has a short summary of its own, a description written on its route (what it
 * does, its errors and side effects) followed by who may call it, and a tag the document
 * describes. A new route without them fails here, naming the route.
 */

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  'x-tessera-access'?: string;
}
interface Document {
  info: { title: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
}

describe('the OpenAPI document as documentation', () => {
  let t: TestApp;
  let doc: Document;
  let operations: { id: string; op: Operation }[];
  before(async () => {
    t = await createTestApp();
    doc = t.app.swagger() as unknown as Document;
    operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ id: `${m.toUpperCase()} ${p}`, op })));
  });
  after(() => t.close());

  it('has a title and says how to authenticate, the error form and where access is written', () => {
    assert.equal(doc.info.title, 'Tessera API');
    const d = doc.info.description ?? '';
    for (const part of ['Authorization: Bearer', 'X-CSRF-Token', '"error"', '"code"', '"message"', '"details"', 'x-tessera-access', 'README', '/docs'])
      assert.ok(d.includes(part), `info.description mentions ${part}`);
    assert.ok(operations.length > 200, `${operations.length} operations`);
  });

  it('gives every operation a short summary', () => {
    const missing = operations.filter(({ op }) => !op.summary?.trim()).map(({ id }) => id);
    assert.deepEqual(missing, [], 'operations without a summary');
    const long = operations.filter(({ op }) => (op.summary ?? '').length > 60).map(({ id, op }) => `${id}: ${op.summary}`);
    assert.deepEqual(long, [], 'summaries longer than 60 characters');
    const sentence = operations.filter(({ op }) => /\.$/.test(op.summary ?? '')).map(({ id, op }) => `${id}: ${op.summary}`);
    assert.deepEqual(sentence, [], 'summaries are titles, not sentences ending with a full stop');
  });

  it('never gives two operations the same summary', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const { id, op } of operations) {
      const key = (op.summary ?? '').trim().toLowerCase();
      if (!key) continue;
      const first = seen.get(key);
      if (first) twice.push(`"${op.summary}": ${first} and ${id}`);
      else seen.set(key, id);
    }
    assert.deepEqual(twice, []);
  });

  it('gives every operation a description of its own, then who may call it', () => {
    const missing: string[] = [];
    for (const { id, op } of operations) {
      const d = op.description ?? '';
      const at = d.indexOf(ACCESS_HEADING);
      const own = (at >= 0 ? d.slice(0, at) : d).trim();
      if (own.length < 20) missing.push(id);
      if (at < 0) missing.push(`${id} (no access paragraph)`);
    }
    assert.deepEqual(missing, [], 'operations without a description written on their route');
  });

  it('files every operation under a tag the document describes', () => {
    const described = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description ?? '']));
    for (const [name, text] of described) assert.ok(text.length > 10, `tag ${name} has a description`);
    const wrong: string[] = [];
    const used = new Set<string>();
    for (const { id, op } of operations) {
      if (!op.tags?.length) wrong.push(`${id}: no tag`);
      for (const tag of op.tags ?? []) {
        used.add(tag);
        if (!described.has(tag)) wrong.push(`${id}: tag "${tag}" is not described in the document`);
      }
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(
      [...described.keys()].filter((name) => !used.has(name)),
      [],
      'every described tag has operations',
    );
  });

  it('serves the reference at /api/docs under the Tessera title', async () => {
    const res = await t.app.inject({ url: '/api/docs/' });
    const page = res.statusCode === 302 ? await t.app.inject({ url: String(res.headers.location) }) : res;
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<title>Tessera API<\/title>/);
  });
});
