/**
 * Time limits as a contract (issue 14): every command with `--time-limit S` must return within
 * max(1.25·S, S + 2 s) of wall time, counted from the start of the process (start-up and reading the
 * file included), on networks up to 784→1024→1024→10, relu-mlp JSON and ONNX alike. This runs the
 * real binary (bin/lipcheck.js, built by `npm run build`) for bounds, exact, verify and conformance
 * --cases at several S and prints the wall time against the contract. Never asserted in tests:
 * timings on a shared machine are only indicative.
 *
 * Run: npm run bench:time [-- --limits 2,10,30] [-- --sizes small,mid,784x256,784x1024] [-- --commands bounds,exact]
 * (all of them by default: about 20 minutes). Networks are written to a temporary folder, removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringifyReluMlp } from '../src/network/format.js';
import { networkToOnnx } from '../src/io/writeOnnx.js';
import { sampleNetwork } from '../src/network/sample.js';
import { parseBiasLaw } from '../src/random/biasLaws.js';

interface Size {
  readonly name: string;
  readonly inputDim: number;
  readonly widths: number[];
  readonly outputs: number;
  readonly formats: readonly ('json' | 'onnx')[];
}

const SIZES: readonly Size[] = [
  { name: 'small', inputDim: 2, widths: [16], outputs: 1, formats: ['json'] },
  { name: 'mid', inputDim: 64, widths: [128, 128], outputs: 1, formats: ['json'] },
  { name: '784x256', inputDim: 784, widths: [256, 256], outputs: 10, formats: ['json', 'onnx'] },
  { name: '784x1024', inputDim: 784, widths: [1024, 1024], outputs: 10, formats: ['json', 'onnx'] },
];

/** The minimal adapter of docs/conformance.md: a product of operator norms (numpy). */
const ADAPTER = `import json, sys
import numpy as np

def op_norm(w, p):
    return {"2": np.linalg.norm(w, 2), "1": np.abs(w).sum(0).max(), "inf": np.abs(w).sum(1).max()}[p]

for line in sys.stdin:
    req = json.loads(line)
    upper = 1.0
    for layer in req["network"]["layers"]:
        upper *= op_norm(np.array(layer["weights"], dtype=float), req["norm"])
    print(json.dumps({"id": req["id"], "upper": float(upper) * (1 + 1e-9)}), flush=True)
`;

function option(name: string, fallback: string): string[] {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : fallback).split(',');
}

const limits = option('limits', '2,10,30').map(Number);
const sizes = SIZES.filter((s) => option('sizes', SIZES.map((x) => x.name).join(',')).includes(s.name));
const commands = option('commands', 'bounds,exact,verify,conformance');
const bin = resolve('bin/lipcheck.js');
const dir = mkdtempSync(join(tmpdir(), 'lipcheck-time-'));

const contract = (s: number) => Math.max(1.25 * s, s + 2);
const rows: string[][] = [];
const header = ['network', 'format', 'command', 'S', 'wall s', 'contract s', 'kept', 'stopped-on-time line', 'result'];
const print = (cells: string[]) => console.log(cells.map((c, i) => c.padEnd([10, 6, 12, 4, 7, 10, 5, 20, 0][i])).join(' '));

try {
  writeFileSync(join(dir, 'adapter.py'), ADAPTER);
  print(header);
  for (const size of sizes) {
    const net = sampleNetwork({ inputDim: size.inputDim, widths: size.widths, bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 1, outputs: size.outputs });
    for (const format of size.formats) {
      const file = join(dir, `${size.name}.${format}`);
      writeFileSync(file, format === 'json' ? stringifyReluMlp(net) : networkToOnnx(net));
      // An upper claim no witness refutes and no instant bound proves: the search runs to the limit.
      const claim = String(10 * Math.sqrt(size.inputDim));
      const argv: Record<string, string[]> = {
        bounds: ['bounds', file],
        exact: ['exact', file],
        verify: ['verify', file, '--upper', claim],
        conformance: ['conformance', '--cmd', `python3 ${join(dir, 'adapter.py')}`, '--cases', file],
      };
      for (const command of commands) {
        for (const S of limits) {
          const started = performance.now();
          const r = spawnSync(process.execPath, [bin, ...argv[command], '--time-limit', String(S)], { encoding: 'utf8', timeout: 1000 * Math.max(60, 10 * contract(S)), maxBuffer: 256 * 2 ** 20 });
          const wall = (performance.now() - started) / 1000;
          const out = `${r.stdout}\n${r.stderr}`;
          const stopped = /stopped on time/.test(out) ? 'yes' : r.signal ? `killed (${r.signal})` : 'no (finished)';
          const result =
            (command === 'bounds' ? /^.*≤ Lip.*$|^Lip.*\(exact\)$/m.exec(r.stdout)?.[0] : command === 'exact' ? /^Lip.*$|too large for exact.*$/m.exec(out)?.[0] : command === 'verify' ? r.stdout.split('\n')[0] : /cases \(.*$/m.exec(r.stdout)?.[0]) ??
            `exit ${r.status}`;
          const cells = [size.name, format, command, String(S), wall.toFixed(2), contract(S).toFixed(1), wall <= contract(S) ? 'yes' : 'NO', stopped, `exit ${r.status}: ${result.slice(0, 90)}`];
          rows.push(cells);
          print(cells);
        }
      }
    }
  }
  const kept = rows.filter((r) => r[6] === 'yes').length;
  console.log(`\n${kept} of ${rows.length} runs kept the contract (wall time from process start to exit; machine load affects every figure)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
