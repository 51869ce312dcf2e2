import { Command } from 'commander';
import { forward, jacobian, kinkMargin, regionRadius } from '../../network/evaluate.js';
import { dualNorm, operatorNorm, NORMS } from '../../linalg/norms.js';
import { toRows, type Mat } from '../../linalg/mat.js';
import { outputDim, type Network } from '../../network/network.js';
import { parseNumberList } from '../../lipschitz/query.js';
import { readNetworkFile } from '../../io/readNetwork.js';
import { clipPoint, type ClippedPoint } from '../clipping.js';
import { fmt, fmtRows, fmtVector, printJson, type CliIo } from '../io.js';

/**
 * What `eval` reports at x: the output, the Jacobian (of the clipped function g = f∘clip for a
 * network that clips its inputs: f's value at clip(x), its Jacobian with the clipped inputs' columns
 * 0), the distance to the nearest kink (a box face counts) and whether x sits on one.
 */
export function evaluatePoint(net: Network, x: readonly number[]): { output: Float64Array; jacobian: Mat; radius: number; atKink: boolean; clip: ClippedPoint | null } {
  const clip = clipPoint(net, x);
  const at = clip ? clip.at : x;
  const near = clip ? clip.piece : net;
  return {
    output: forward(net, at).output,
    jacobian: jacobian(near, at),
    radius: Math.min(regionRadius(near, at), clip ? clip.faceDistance : Infinity),
    atKink: !(kinkMargin(near, at) > 1e-10) || clip?.faceDistance === 0, // relative to rounding, at any scale
    clip,
  };
}

export function evalCommand(io: CliIo): Command {
  return new Command('eval')
    .description('evaluate a network at a point: value, gradient (Jacobian for k > 1) and its norms; a network that clips its inputs (NNet) is evaluated at the clipped point')
    .argument('<file>', 'network file (relu-mlp JSON, ONNX or NNet); - reads stdin')
    .requiredOption('--x <x1,…,xd>', 'the point, comma-separated (use --x=-1,2 for a leading minus)')
    .option('--json', 'print one JSON object')
    .action((file: string, opts: { x: string; json?: boolean }) => {
      const net = readNetworkFile(file);
      const x = parseNumberList(opts.x, '--x', net.inputDim);
      const { output, jacobian: j, radius, atKink, clip } = evaluatePoint(net, x);
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
          ...(clip ? { clipsInputs: true, clippedInputs: clip.clipped, evaluatedAt: Array.from(clip.at) } : {}),
        });
        return;
      }
      if (clip && clip.clipped.length > 0) {
        io.out(
          `x lies outside the network's input box in input(s) ${clip.clipped.map((i) => i + 1).join(', ')}: the network clips its inputs (NNet), ` +
            `so it is evaluated at clip(x) = ${fmtVector(clip.at, 12)} and its gradient is 0 in the clipped inputs\n`,
        );
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
