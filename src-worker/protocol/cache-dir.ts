// Runs in the worker, the CLI and the Electron main process: the one rule for where the per-user
// asset cache lives. Dependency-free (the caller passes its environment, home folder, platform
// and path functions), so main can learn the folder without bundling the asset manifest.

/** Environment variable that overrides the cache directory everywhere. */
export const CACHE_ENV = 'KOKORO_BAR_CACHE';

/** The path functions the rule uses (node:path fits; this room imports no Node module). */
export interface PathOps {
  join(...parts: string[]): string;
  resolve(...parts: string[]): string;
  isAbsolute(file: string): boolean;
}

/** The per-user cache directory: `$KOKORO_BAR_CACHE`, else the platform's cache location. */
export function cacheDirFor(env: Readonly<Record<string, string | undefined>>, home: string, platform: string, paths: PathOps): string {
  const override = env[CACHE_ENV];
  if (override) return paths.resolve(override);
  if (platform === 'darwin') return paths.join(home, 'Library', 'Caches', 'Kokoro Bar', 'models');
  if (platform === 'win32') {
    return paths.join(env['LOCALAPPDATA'] ?? paths.join(home, 'AppData', 'Local'), 'Kokoro Bar', 'models');
  }
  // XDG says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env['XDG_CACHE_HOME'];
  const base = xdg && paths.isAbsolute(xdg) ? xdg : paths.join(home, '.cache');
  return paths.join(base, 'kokoro-bar');
}
