// Runs in the Node test runner: electron-builder.yml is a valid electron-builder 26 configuration
// (its own JSON schema, and its own loader and validator), and says what the distribution issue
// asks: an arm64 dmg, menu-bar only, hardened runtime with the fewest entitlements, notarised.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { DebugLogger } from 'builder-util';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import type { Configuration } from 'app-builder-lib';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT, readBuilderConfig } from './builder-config.ts';

const SCHEMA_FILE = path.join(PROJECT_ROOT, 'node_modules', 'app-builder-lib', 'scheme.json');

/** Entitlements each signed executable gets, and no others (the plists justify each). */
const MAIN_ENTITLEMENTS = ['com.apple.security.automation.apple-events', 'com.apple.security.cs.allow-jit'];
const INHERITED_ENTITLEMENTS = ['com.apple.security.cs.allow-jit'];

function plistKeys(file: string): string[] {
  const xml = readFileSync(path.join(PROJECT_ROOT, file), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  assert.match(xml, /^<\?xml[^>]*>\s*<!DOCTYPE plist[^>]*>\s*<plist version="1.0">\s*<dict>/, `${file} is not a plist dict`);
  const pairs = [...xml.matchAll(/<key>([^<]+)<\/key>\s*<(true|false)\/>/g)];
  const keys = [...xml.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1] ?? '');
  assert.equal(pairs.length, keys.length, `${file}: every entitlement must be a boolean`);
  for (const [, key, value] of pairs) assert.equal(value, 'true', `${file}: ${key} is false; remove it instead`);
  return keys.sort();
}

test('electron-builder.yml validates against electron-builder\'s JSON schema (ajv)', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object;
  const config: unknown = parseYaml(readFileSync(path.join(PROJECT_ROOT, 'electron-builder.yml'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  const valid = validate(config);
  assert.ok(valid, `electron-builder.yml is invalid:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
});

test('the schema check can fail: a misspelt option is refused', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  assert.equal(validate({ ...readBuilderConfig(), mac: { hardenedRuntme: true } }), false);
});

test('electron-builder loads and validates it the way `electron-builder` will', async () => {
  const config = await getConfig(PROJECT_ROOT, null, null);
  await validateConfiguration(config, new DebugLogger(false));
  assert.equal(config.productName, 'Kokoro Bar');
  // The loader found our file (and not, say, a "build" key in package.json).
  assert.deepEqual(config.mac?.target, readBuilderConfig().mac?.target);
});

test('a dmg for Apple Silicon only, menu-bar only, hardened, notarised', () => {
  const config: Configuration = readBuilderConfig();
  const mac = config.mac;
  assert.ok(mac, 'no mac section');
  assert.deepEqual(mac.target, [{ target: 'dmg', arch: ['arm64'] }]);
  assert.equal(mac.extendInfo?.['LSUIElement'], true);
  assert.equal(mac.hardenedRuntime, true);
  assert.equal(mac.notarize, true);
  assert.equal(config.npmRebuild, false, 'onnxruntime-node is N-API prebuilt: a rebuild would try to compile it');
  assert.equal(config.electronFuses?.runAsNode, false);
  assert.ok(config.appId && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(config.appId), `appId "${config.appId}" is not reverse-DNS`);
});

test('entitlements are exactly the ones the app needs', () => {
  const mac = readBuilderConfig().mac;
  assert.ok(mac?.entitlements && mac.entitlementsInherit);
  assert.deepEqual(plistKeys(mac.entitlements), MAIN_ENTITLEMENTS);
  assert.deepEqual(plistKeys(mac.entitlementsInherit), INHERITED_ENTITLEMENTS);
  // Sending Apple Events needs both the entitlement and the text macOS shows when it asks.
  const why = mac.extendInfo?.['NSAppleEventsUsageDescription'];
  assert.ok(typeof why === 'string' && why.length > 20, 'NSAppleEventsUsageDescription is missing');
});

test('the icon the config names is a real icns file', () => {
  const icon = readBuilderConfig().mac?.icon;
  assert.ok(icon);
  const bytes = readFileSync(path.join(PROJECT_ROOT, icon));
  assert.equal(bytes.subarray(0, 4).toString('latin1'), 'icns');
  assert.equal(bytes.readUInt32BE(4), bytes.length, 'icns length field does not match the file size');
});
