// Runs as a script (`npm run fetch-assets`, `npm test`'s pretest, CI): `kokoro-bar fetch` without
// the rest of the CLI, so assets can be fetched before anything else of the app is built.

import { runFetchCommand } from './assets-command.ts';

process.exitCode = await runFetchCommand(process.argv.slice(2));
