import { execFileSync } from 'node:child_process';

/** Builds dist/ once per test run, so tests that spawn the real `lipcheck` binary see the current source. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
