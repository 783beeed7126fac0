import { existsSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

/** A mounted removable drive: an SD card for sd-card updates or a UF2 bootloader drive. */
export interface DriveInfo {
  path: string;
  label: string;
  kind: 'uf2' | 'sd';
}

/** Mounted drives under the usual removable-media roots (roots injectable for tests). */
export function listRemovableDrives(roots = defaultRoots()): DriveInfo[] {
  const drives: DriveInfo[] = [];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      continue;
    }
    for (const name of names) {
      const dir = path.join(root, name);
      const uf2 = existsSync(path.join(dir, 'INFO_UF2.TXT'));
      drives.push({ path: dir, label: name, kind: uf2 ? 'uf2' : 'sd' });
    }
  }
  return drives;
}

function defaultRoots(): string[] {
  if (process.platform === 'darwin') return ['/Volumes'];
  if (process.platform === 'win32') return [];
  const user = userInfo().username;
  return [`/media/${user}`, `/run/media/${user}`];
}
