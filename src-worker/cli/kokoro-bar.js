#!/usr/bin/env node
// Runs in the user's shell: the package's `kokoro-bar` command. Plain JavaScript so Node can start
// it directly; it registers tsx (the TypeScript loader the project runs on) and hands over to
// cli.ts, whose exit code becomes the process's.

import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
