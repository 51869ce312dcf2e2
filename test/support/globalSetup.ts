import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds dist/ once per test run, so tests that spawn the real `lipcheck` binary see the current
 * source. The build is skipped when dist/ is already current: every src/**.ts has its dist/**.js,
 * none of them older than the newest source file or build setting (a fresh `npm ci` has just built
 * it through `prepare`; tsc takes 6–12 s of the run on 2 cores).
 */
export default function setup(): void {
  if (distIsCurrent('src', 'dist', ['tsconfig.json', 'tsconfig.build.json'])) return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}

/** True when each `.ts` under `src` has a `.js` under `dist` no older than every source and setting. */
export function distIsCurrent(src: string, dist: string, settings: readonly string[]): boolean {
  let newestInput = Math.max(...settings.map((f) => statSync(f).mtimeMs));
  const outputs: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, join(rel, entry.name));
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        newestInput = Math.max(newestInput, statSync(path).mtimeMs);
        outputs.push(join(dist, rel, entry.name.replace(/\.ts$/, '.js')));
      }
    }
  };
  walk(src, '');
  return outputs.every((out) => existsSync(out) && statSync(out).mtimeMs >= newestInput);
}
