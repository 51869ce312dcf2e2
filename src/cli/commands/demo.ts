import { Command } from 'commander';
import { parseBiasLaw } from '../../random/biasLaws.js';
import { sampleNetwork } from '../../network/sample.js';
import { describeArchitecture } from '../../network/network.js';
import { gradient } from '../../network/evaluate.js';
import { dualNorm, operatorNorm } from '../../linalg/norms.js';
import { fmt, type CliIo } from '../io.js';

/** A short tour: a few random networks and what lipcheck can say about each. */
export function demoCommand(io: CliIo): Command {
  return new Command('demo')
    .description('sample a few random networks and print what lipcheck knows about them')
    .action(() => {
      const cases = [
        { inputDim: 2, widths: [16], bias: 'normal:1' },
        { inputDim: 3, widths: [32], bias: 'student-t:3' },
        { inputDim: 2, widths: [8, 8], bias: 'uniform:1' },
      ];
      for (const [i, c] of cases.entries()) {
        const net = sampleNetwork({ ...c, bias: parseBiasLaw(c.bias), weights: 'he-fanout', seed: i });
        const g = gradient(net, new Float64Array(c.inputDim).fill(0.5));
        const product = net.layers.reduce((p, l) => p * operatorNorm({ rows: l.outDim, cols: l.inDim, data: l.weights }, '2'), 1);
        io.out(
          `${describeArchitecture(net)}  bias ${c.bias}  seed ${i}: ‖∇f(0.5·1)‖₂ = ${fmt(dualNorm(g, '2'))} (a lower bound), ` +
            `product of operator norms = ${fmt(product)} (an upper bound), √d = ${fmt(Math.sqrt(c.inputDim))}\n`,
        );
      }
    });
}
