import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkReturnPath, checkReturnTo, PORTAL_HOME } from './return-to.js';

const publicUrl = 'https://id.corp.example';
const check = (value: string | null | undefined, fallback?: string) => checkReturnTo(value, { publicUrl, fallback });

describe('checkReturnTo', () => {
  it('keeps paths of this site, with their query and fragment', () => {
    assert.equal(check('/portal'), '/portal');
    assert.equal(check('/oidc/interaction/x'), '/oidc/interaction/x');
    assert.equal(
      check('/oidc/auth?client_id=a&redirect_uri=https%3A%2F%2Fapp.example%2Fcb#top'),
      '/oidc/auth?client_id=a&redirect_uri=https%3A%2F%2Fapp.example%2Fcb#top',
    );
    assert.equal(check('/saml/continue/AbC-_09'), '/saml/continue/AbC-_09');
  });

  it('turns an absolute URL of this origin into its path', () => {
    assert.equal(check('https://id.corp.example/portal?x=1'), '/portal?x=1');
  });

  it('answers the serialized path, not the raw input', () => {
    assert.equal(check('/portal/../oidc/x'), '/oidc/x');
    assert.equal(check('/a b'), '/a%20b');
  });

  it('refuses every other origin, scheme-relative and script URLs', () => {
    for (const value of [
      'https://evil.example',
      'https://evil.example/portal',
      '//evil.example',
      '//evil.example/portal',
      '///evil.example',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<b>x</b>',
      'http://id.corp.example/portal',
      'https://id.corp.example.evil.example/',
      'https://id.corp.example@evil.example/',
      'https://user:pw@id.corp.example/portal',
    ])
      assert.equal(check(value), PORTAL_HOME, value);
  });

  it('refuses tab, newline, other controls and backslash, raw or percent-encoded', () => {
    for (const value of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r/evil.example',
      '/\u0000/x',
      '/\u007f/x',
      '/\\evil.example',
      '\\\\evil.example',
      '/%09/evil.example',
      '/%0a/evil.example',
      '/%0D/evil.example',
      '/%5c/evil.example',
      '/%5Cevil.example',
      '/%00',
      '/%2f%2fevil.example',
      '/%2F/evil.example',
      '/%252f%252fevil.example',
      '/%25252f%25252fevil.example',
      '/%2525252f',
      '/.//evil.example',
      '/./%2f/evil.example',
    ])
      assert.equal(check(value), PORTAL_HOME, JSON.stringify(value));
  });

  it('refuses relative, encoded-at-the-start, malformed and missing values', () => {
    for (const value of ['portal', '%2f%2fevil.example', '%2fportal', '/%E0%A4%A', '', null, undefined, `/${'a'.repeat(5000)}`]) {
      assert.equal(check(value), PORTAL_HOME, String(value).slice(0, 40));
    }
  });

  it('answers the given fallback', () => {
    assert.equal(check('//evil.example', '/'), '/');
    assert.equal(check(null, '/'), '/');
  });
});

describe('checkReturnPath', () => {
  it('keeps a path and refuses what is not one', () => {
    assert.equal(checkReturnPath('/wsfed/continue/abc'), '/wsfed/continue/abc');
    assert.equal(checkReturnPath('//evil.example'), PORTAL_HOME);
    assert.equal(checkReturnPath('https://evil.example/x'), PORTAL_HOME);
  });
});
