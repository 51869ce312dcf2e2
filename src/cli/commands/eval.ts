import { Command } from 'commander';
import { forward, jacobian, kinkMargin, regionRadius } from '../../network/evaluate.js';
import { dualNorm, operatorNorm, NORMS } from '../../linalg/norms.js';
import { toRows } from '../../linalg/mat.js';
import { outputDim } from '../../network/network.js';
import { parseNumberList } from '../../lipschitz/query.js';
import { readNetworkFile } from '../../io/readNetwork.js';
import { fmt, fmtRows, fmtVector, printJson, type CliIo } from '../io.js';

export function evalCommand(io: CliIo): Command {
  return new Command('eval')
    .description('evaluate a network at a point: value, gradient (Jacobian for k > 1) and its norms')
    .argument('<file>', 'network file (relu-mlp JSON, ONNX or NNet); - reads stdin')
    .requiredOption('--x <x1,…,xd>', 'the point, comma-separated (use --x=-1,2 for a leading minus)')
    .option('--json', 'print one JSON object')
    .action((file: string, opts: { x: string; json?: boolean }) => {
      const net = readNetworkFile(file);
      const x = parseNumberList(opts.x, '--x', net.inputDim);
      const { output } = forward(net, x);
      const j = jacobian(net, x);
      const radius = regionRadius(net, x);
      const atKink = !(kinkMargin(net, x) > 1e-10); // relative to rounding, at any scale
      const norms = Object.fromEntries(NORMS.map((p) => [p, operatorNorm(j, p)]));
      const k = outputDim(net);
      if (opts.json) {
        printJson(io, {
          x,
          output: Array.from(output),
          ...(k === 1 ? { value: output[0], gradient: Array.from(j.data) } : {}),
          jacobian: toRows(j),
          norms,
          regionRadius: Number.isFinite(radius) ? radius : null,
          atKink,
        });
        return;
      }
      if (k === 1) {
        io.out(`f(x)      = ${fmt(output[0], 12)}\n`);
        io.out(`gradient  = ${fmtVector(j.data, 12)}\n`);
        io.out(`dual norms of the gradient: p=2 → ${fmt(dualNorm(j.data, '2'))}, p=1 → ${fmt(dualNorm(j.data, '1'))}, p=inf → ${fmt(dualNorm(j.data, 'inf'))}\n`);
      } else {
        io.out(`f(x)      = ${fmtVector(output, 12)}\n`);
        io.out('Jacobian  =\n');
        for (const line of fmtRows(toRows(j), 12)) io.out(`  ${line}\n`);
        io.out(`operator norms ‖J‖_p→p: p=2 → ${fmt(norms['2'])}, p=1 → ${fmt(norms['1'])}, p=inf → ${fmt(norms['inf'])}\n`);
      }
      io.out(
        atKink
          ? 'x lies on a kink: this is the formal gradient (ReLU′(0) = 0), not necessarily a derivative\n'
          : `x is inside a linear region; the nearest kink is at Euclidean distance ${fmt(radius, 3)}\n`,
      );
    });
}
