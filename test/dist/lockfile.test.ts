// Tests (Node): the README's first command, `npm install`, leaves the checkout as it was: the
// lock file's own entry says what package.json says, so npm has nothing to rewrite (it rewrote
// the lock's engines after package.json moved to Node 20.19, so a fresh clone came out modified).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The fields of package.json that npm copies into the lock's root entry. */
const MIRRORED = ['name', 'version', 'license', 'bin', 'engines', 'dependencies', 'devDependencies', 'optionalDependencies'];

test('package-lock.json records the root package exactly as package.json declares it', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    name: string;
    version: string;
    packages: Record<string, Record<string, unknown>>;
  };
  assert.equal(lock.name, pkg.name);
  assert.equal(lock.version, pkg.version);
  const root = lock.packages[''] ?? {};
  for (const field of MIRRORED) {
    assert.deepEqual(root[field], pkg[field], `package-lock.json's "${field}" differs from package.json's: run \`npm install\` and commit the lock`);
  }
});
