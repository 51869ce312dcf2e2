import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReluMlp } from '../../src/network/format.js';
import { evaluate } from '../../src/network/evaluate.js';

/**
 * scripts/pytorch_to_relu_mlp.py needs PyTorch, which CI does not have: these tests run only where
 * some python3 can import torch (e.g. Debian's python3-torch), and are skipped elsewhere.
 */
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
const dir = mkdtempSync(join(tmpdir(), 'lipcheck-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function py(code: string): string {
  const r = spawnSync(python!, ['-c', code], { encoding: 'utf8', cwd: dir });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

function convert(file: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(python!, ['scripts/pytorch_to_relu_mlp.py', join(dir, file), '-'], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(python === undefined)('scripts/pytorch_to_relu_mlp.py (needs PyTorch)', () => {
  it('converts a saved nn.Sequential and its state_dict to the same network, which evaluates like PyTorch', () => {
    const out = py(`
import json, torch
from torch import nn
torch.manual_seed(0)
m = nn.Sequential(nn.Flatten(), nn.Sequential(nn.Linear(3, 6), nn.ReLU()), nn.Dropout(0.2), nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 2))
torch.save(m, 'model.pt'); torch.save(m.state_dict(), 'sd.pt'); torch.save({'state_dict': m.state_dict()}, 'wrapped.pt')
m.eval()
xs = torch.randn(5, 3)
print(json.dumps({'x': xs.tolist(), 'y': m(xs).double().tolist()}))
`);
    const { x, y } = JSON.parse(out) as { x: number[][]; y: number[][] };
    const docs = ['model.pt', 'sd.pt', 'wrapped.pt'].map((f) => {
      const r = convert(f);
      expect(r.code).toBe(0);
      return r.stdout;
    });
    const net = parseReluMlp(docs[0], 'model.json');
    expect(parseReluMlp(docs[1], 'sd.json').layers).toEqual(net.layers);
    expect(parseReluMlp(docs[2], 'wrapped.json').layers).toEqual(net.layers);
    x.forEach((xi, t) => evaluate(net, Float32Array.from(xi)).forEach((v, i) => expect(v).toBeCloseTo(y[t][i], 5)));
  });
  it('refuses another activation with one line naming the module, and an unreadable file', () => {
    py(`
import torch
from torch import nn
torch.save(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)), 'tanh.pt')
open('junk.pt', 'w').write('not a checkpoint')
`);
    const tanh = convert('tanh.pt');
    expect(tanh.code).toBe(2);
    expect(tanh.stderr.trim()).toMatch(/^pytorch_to_relu_mlp: .*tanh\.pt: module '1' \(Tanh\) is not supported/);
    expect(tanh.stderr.trim().split('\n')).toHaveLength(1);
    const junk = convert('junk.pt');
    expect(junk.code).toBe(2);
    expect(junk.stderr.trim()).toMatch(/cannot load it with torch\.load/);
  });
  it('writes a file when OUT is a path', () => {
    py(`
import torch
from torch import nn
torch.save(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).state_dict(), 'small.pt')
`);
    const r = spawnSync(python!, ['scripts/pytorch_to_relu_mlp.py', join(dir, 'small.pt'), join(dir, 'small.json')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(parseReluMlp(readFileSync(join(dir, 'small.json'), 'utf8'), 'small.json').inputDim).toBe(2);
  });
});
