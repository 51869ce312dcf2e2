import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder: this module sits in src/ (under a test runner) or dist/ (built). */
const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

/** A path inside the installed package, e.g. packagePath('config', 'calibration.json'). */
export function packagePath(...parts: string[]): string {
  return join(ROOT, ...parts);
}

/** A compiled module in dist/ (worker threads load these, also when the caller runs from src/). */
export function compiledModule(relative: string): string {
  return packagePath('dist', relative);
}
