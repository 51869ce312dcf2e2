/**
 * Gradient throughput at d = 64, widths 256,256,256 (issue 4's target): lipcheck's batched
 * Jacobians against numpy doing the same batched computation (bench/gradients_numpy.py), side by
 * side on this machine, each on one core and on all cores. Run: npm run bench:gradients
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchJacobians } from '../src/network/batch.js';
import { stringifyReluMlp } from '../src/network/format.js';
import { GradientKernel } from '../src/network/gradientKernel.js';
import { ParallelGradients } from '../src/network/parallelGradients.js';
import { sampleNetwork } from '../src/network/sample.js';
import { parseBiasLaw } from '../src/random/biasLaws.js';
import { createStream } from '../src/random/stream.js';

const d = 64;
const widths = [256, 256, 256];
const batch = 256;
const seconds = 3;
const net = sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 1 });
const s = createStream(0, 'bench');
const X = Float64Array.from({ length: batch * d }, () => s.gaussian());

function rate(f: () => unknown): number {
  f(); // warm up
  f();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    f();
    count += batch;
  }
  return count / ((performance.now() - start) / 1000);
}

const kernel = new GradientKernel(net);
const pool = new ParallelGradients(net);
const ours: [string, number][] = [
  ['lipcheck, TypeScript reference (batchJacobians), 1 thread', rate(() => batchJacobians(net, X, batch))],
  ['lipcheck, WebAssembly SIMD kernel, 1 thread', rate(() => kernel.jacobians(X, batch))],
  [`lipcheck, WebAssembly SIMD kernel, ${pool.threads} threads`, rate(() => pool.jacobians(X, batch))],
];
pool.close();

const dir = mkdtempSync(join(tmpdir(), 'lipcheck-bench-'));
const file = join(dir, 'net.json');
writeFileSync(file, stringifyReluMlp(net));
const theirs: [string, number][] = [];
for (const python of ['/usr/bin/python3', 'python3']) {
  for (const threads of [undefined, '1']) {
    const env = threads ? { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads } : process.env;
    try {
      const out = JSON.parse(execFileSync(python, ['bench/gradients_numpy.py', file, String(batch), String(seconds)], { encoding: 'utf8', env }));
      theirs.push([`numpy ${out.numpy} (${out.python}), ${threads ? '1 thread' : 'default threads'}${out.blas ? `, ${out.blas}` : ''}`, out.gradientsPerSecond]);
    } catch {
      if (!threads) theirs.push([`${python}: numpy not available`, NaN]);
    }
  }
}
console.log(`gradients per second, d = ${d}, widths ${widths.join(',')}, batch ${batch}, float64; ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}):`);
for (const [name, v] of [...ours, ...theirs]) console.log(`  ${name.padEnd(92)} ${Number.isFinite(v) ? Math.round(v) : '—'}`);
const best = Math.max(...ours.map(([, v]) => v));
const numpyBest = Math.max(...theirs.map(([, v]) => v).filter(Number.isFinite));
if (Number.isFinite(numpyBest)) console.log(`  lipcheck's best / numpy's best = ${(best / numpyBest).toFixed(2)} (target ≥ 0.5)`);
