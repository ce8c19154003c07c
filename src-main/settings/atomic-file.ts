// Runs in the Electron main process (and tests, under plain Node): writes a file so that a crash
// or a full disk mid-write leaves the old file or the new one, never half of one.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Bytes of randomness in a temp file's name, so two writers never share one. */
const TEMP_NAME_BYTES = 4;

/**
 * Writes `text` to `file` atomically: a temp file in the same folder (same file system, so the
 * rename is atomic), flushed to disk, then renamed over the target. Creates the folder.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(TEMP_NAME_BYTES).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
