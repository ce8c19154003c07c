// Runs in the Node test runner: shared helpers of the packaging tests (the project root and
// electron-builder.yml parsed with the `yaml` package).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Configuration } from 'app-builder-lib';
import { parse as parseYaml } from 'yaml';

/** The checkout's root folder. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** electron-builder.yml as electron-builder's own Configuration type (shape checked by the schema test). */
export function readBuilderConfig(): Configuration {
  return parseYaml(readFileSync(path.join(PROJECT_ROOT, 'electron-builder.yml'), 'utf8')) as Configuration;
}
