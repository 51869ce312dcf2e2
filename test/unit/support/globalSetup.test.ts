import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { distIsCurrent } from '../../support/globalSetup.js';

describe('distIsCurrent (the test run skips a build that would change nothing)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tree = (): { src: string; dist: string; setting: string; touch: (path: string, seconds: number) => void } => {
    const root = mkdtempSync(join(tmpdir(), 'lipcheck-dist-'));
    dirs.push(root);
    const touch = (path: string, seconds: number): void => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, '');
      utimesSync(path, seconds, seconds);
    };
    const src = join(root, 'src');
    const dist = join(root, 'dist');
    const setting = join(root, 'tsconfig.json');
    touch(setting, 1000);
    touch(join(src, 'a.ts'), 1000);
    touch(join(src, 'deep', 'b.ts'), 1000);
    touch(join(src, 'deep', 'types.d.ts'), 5000); // declarations emit nothing
    touch(join(dist, 'a.js'), 2000);
    touch(join(dist, 'deep', 'b.js'), 2000);
    return { src, dist, setting, touch };
  };
  it('is current when every source has a newer output', () => {
    const t = tree();
    expect(distIsCurrent(t.src, t.dist, [t.setting])).toBe(true);
  });
  it('is stale when a source, or a build setting, is newer than an output', () => {
    const t = tree();
    t.touch(join(t.src, 'deep', 'b.ts'), 3000);
    expect(distIsCurrent(t.src, t.dist, [t.setting])).toBe(false);
    const u = tree();
    u.touch(u.setting, 3000);
    expect(distIsCurrent(u.src, u.dist, [u.setting])).toBe(false);
  });
  it('is stale when a source has no output yet', () => {
    const t = tree();
    t.touch(join(t.src, 'deep', 'c.ts'), 1000);
    expect(distIsCurrent(t.src, t.dist, [t.setting])).toBe(false);
  });
});
