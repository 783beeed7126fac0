// Where `tether serve` keeps printers.json and host logs when --data-dir is not given: the
// platform's per-user data folder, like the desktop app's (Electron's userData is the same
// folder named after the app).
import os from 'node:os';
import path from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'tether');
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'tether');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'tether');
}
