/**
 * Gradient throughput at d = 64, widths 256,256,256 (issue 4's target): lipcheck's batched
 * evaluation (src/network/batch.ts) against numpy doing the same batched computation, side by side
 * on this machine. Run: npm run bench:gradients
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchJacobians } from '../src/network/batch.js';
import { stringifyReluMlp } from '../src/network/format.js';
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
batchJacobians(net, X, batch); // warm up
let count = 0;
const start = performance.now();
while (performance.now() - start < seconds * 1000) {
  batchJacobians(net, X, batch);
  count += batch;
}
const js = count / ((performance.now() - start) / 1000);

const dir = mkdtempSync(join(tmpdir(), 'lipcheck-bench-'));
const file = join(dir, 'net.json');
writeFileSync(file, stringifyReluMlp(net));
const rows: [string, number][] = [['lipcheck (TypeScript, one thread)', js]];
for (const python of ['/usr/bin/python3', 'python3']) {
  try {
    const out = JSON.parse(execFileSync(python, ['bench/gradients_numpy.py', file, String(batch), String(seconds)], { encoding: 'utf8' }));
    rows.push([`numpy ${out.numpy} (${out.python})`, out.gradientsPerSecond]);
  } catch {
    rows.push([`${python}: numpy not available`, NaN]);
  }
}
console.log(`gradients per second, d = ${d}, widths ${widths.join(',')}, batch ${batch}:`);
for (const [name, v] of rows) console.log(`  ${name.padEnd(70)} ${Number.isFinite(v) ? Math.round(v) : '—'}${Number.isFinite(v) && v !== js ? `   (lipcheck / this = ${(js / v).toFixed(2)})` : ''}`);
