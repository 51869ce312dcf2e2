import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('lipcheck/arbitraries, as users import it', () => {
  it('the README example is test/arbitraries/readme-example.test.ts, word for word (which runs it)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Generators for your own property tests'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)![1];
    expect(block).toBe(readFileSync('test/arbitraries/readme-example.test.ts', 'utf8'));
  });
  it('Node resolves "lipcheck" and "lipcheck/arbitraries" through package.json exports (the built dist/)', () => {
    const script =
      "const arbs = await import('lipcheck/arbitraries');" +
      "console.log(JSON.stringify([import.meta.resolve('lipcheck').replace(/.*\\/dist\\//, 'dist/'), typeof arbs.nearDuplicatesArb, typeof arbs.randomNetworkArb, Object.keys(arbs.ADVERSARIAL_FAMILIES).length]));";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['dist/index.js', 'function', 'function', 9]);
  });
  it('"lipcheck" exports the scalable methods (LipSDP family, linear relaxation, ascent, pattern search, proven spectral norms), and they run on a network built from it', () => {
    const script =
      "const l = await import('lipcheck');" +
      "const net = l.makeNetwork(2, [l.denseLayer([[1, 0], [0, 2]], [0, 0]), l.denseLayer([[1, 1]], [0])]);" +
      "const b = new l.Budget(5);" +
      "console.log(JSON.stringify([typeof l.lipSdpBound, typeof l.branchedSdpBound, typeof l.relaxedJacobianBound, typeof l.ascentLowerBound, l.eclipseFastBound(net, null) >= Math.sqrt(5) * (1 - 1e-12), l.tightestUpperBound(net, { norm: '2', box: null }, b).upper >= Math.sqrt(5) * (1 - 1e-12)," +
      " Math.abs(l.spectralPatternAscent(net, { starts: 4, seed: 1 }).witness.value - Math.sqrt(5)) < 1e-12, l.provenSpectralBound({ rows: 2, cols: 2, data: Float64Array.of(1, 0, 0, 2) }) > 2]));";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // Lip₂ of x ↦ relu(x₁) + relu(2x₂) is √5 (both active): every certified bound is at least that.
    // The pattern search reaches it with a witness (N ≤ d); ‖diag(1, 2)‖₂ = 2 is proven from above.
    expect(JSON.parse(r.stdout)).toEqual(['function', 'function', 'function', 'function', true, true, true, true]);
  });
});
