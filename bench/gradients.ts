/**
 * Gradient throughput at d = 64, widths 256,256,256 (issue 4's shapes): lipcheck's batched
 * Jacobians against numpy doing the same batched computation (bench/gradients_numpy.py) on the same
 * batch, side by side on this machine, in float64 and float32, on one core and on all cores
 * (numpy with the BLAS thread variables unset, as lipcheck uses every core too). Each figure is
 * reported twice: `mean` over the run and `best` from the fastest batch — the figure least
 * disturbed by other programs on a shared machine. lipcheck's float32 kernel is for ranking
 * candidates only (what it finds is re-evaluated in float64). Run: npm run bench:gradients
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchJacobians } from '../src/network/batch.js';
import { stringifyReluMlp } from '../src/network/format.js';
import { GradientKernel, type KernelPrecision } from '../src/network/gradientKernel.js';
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

interface Rate {
  readonly mean: number;
  readonly best: number;
}

function rate(f: () => unknown): Rate {
  f(); // warm up
  f();
  let count = 0;
  let fastest = Infinity;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const t0 = performance.now();
    f();
    fastest = Math.min(fastest, performance.now() - t0);
    count += batch;
  }
  return { mean: count / ((performance.now() - start) / 1000), best: batch / (fastest / 1000) };
}

const rows: { name: string; precision: KernelPrecision; who: 'lipcheck' | 'numpy'; r: Rate }[] = [];
rows.push({ name: 'lipcheck, TypeScript reference (batchJacobians), 1 thread', precision: 'float64', who: 'lipcheck', r: rate(() => batchJacobians(net, X, batch)) });
for (const precision of ['float64', 'float32'] as const) {
  const kernel = new GradientKernel(net, precision);
  const pool = new ParallelGradients(net, availableParallelism(), 1024, precision);
  rows.push({ name: `lipcheck, WebAssembly SIMD kernel, ${precision}, 1 thread`, precision, who: 'lipcheck', r: rate(() => kernel.jacobians(X, batch)) });
  rows.push({ name: `lipcheck, WebAssembly SIMD kernel, ${precision}, ${pool.threads} threads`, precision, who: 'lipcheck', r: rate(() => pool.jacobians(X, batch)) });
  pool.close();
}

const dir = mkdtempSync(join(tmpdir(), 'lipcheck-bench-'));
const file = join(dir, 'net.json');
writeFileSync(file, stringifyReluMlp(net));
for (const python of ['/usr/bin/python3', 'python3']) {
  for (const precision of ['float64', 'float32'] as const) {
    for (const threads of [undefined, '1']) {
      const env = threads ? { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads } : process.env;
      try {
        const out = JSON.parse(execFileSync(python, ['bench/gradients_numpy.py', file, String(batch), String(seconds), precision], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] }));
        rows.push({ name: `numpy ${out.numpy} (${out.python}), ${precision}, ${threads ? '1 thread' : 'default threads'}${out.blas ? `, ${out.blas}` : ''}`, precision, who: 'numpy', r: out });
      } catch {
        if (!threads && precision === 'float64') console.log(`(${python}: numpy not available)`);
      }
    }
  }
}
console.log(`gradients per second, d = ${d}, widths ${widths.join(',')}, batch ${batch}; ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}); mean over ${seconds} s / fastest batch:`);
for (const { name, r } of rows) console.log(`  ${name.padEnd(100)} ${String(Math.round(r.mean)).padStart(7)} ${String(Math.round(r.best)).padStart(7)}`);
const top = (who: string, precision: KernelPrecision, key: keyof Rate) => Math.max(...rows.filter((r) => r.who === who && r.precision === precision).map((r) => r.r[key]));
for (const key of ['mean', 'best'] as const) {
  const ratio = (a: KernelPrecision, b: KernelPrecision) => (top('lipcheck', a, key) / top('numpy', b, key)).toFixed(2);
  console.log(`  ${key}: lipcheck's best / numpy's best: float64 ${ratio('float64', 'float64')}, float32 ${ratio('float32', 'float32')}, lipcheck float32 / numpy float64 ${ratio('float32', 'float64')} (target ≥ 1)`);
}
