import { Command, Option } from 'commander';
import { biasLawNames, parseBiasLaw } from '../../random/biasLaws.js';
import { sampleNetwork, WEIGHT_CONVENTIONS, type WeightConvention } from '../../network/sample.js';
import { stringifyReluMlp } from '../../network/format.js';
import { FORMAT_LIMITS } from '../../network/format.js';
import { UserError } from '../../errors.js';
import type { CliIo } from '../io.js';
import { parseSeed, positiveInt } from '../options.js';

function parseWidths(text: string): number[] {
  const widths = text.split(',').map((t, i) => {
    const v = Number(t.trim());
    if (!Number.isInteger(v) || v < 1) throw new UserError(`--widths: entry ${i + 1} ("${t.trim()}") is not a positive integer`);
    if (v > FORMAT_LIMITS.maxWidth) throw new UserError(`--widths: ${v} exceeds the limit of ${FORMAT_LIMITS.maxWidth}`);
    return v;
  });
  return widths;
}

export function sampleCommand(io: CliIo): Command {
  return new Command('sample')
    .description('draw a random ReLU network of the papers\' model and print it as relu-mlp v1 JSON')
    .requiredOption('--input-dim <d>', 'input dimension d', positiveInt('--input-dim'))
    .requiredOption('--widths <N1,N2,…>', 'hidden widths, e.g. 64 or 16,16,16', parseWidths)
    .option('--bias <law>', `bias law spec (${biasLawNames().join(', ')}; e.g. normal:1, student-t:3)`, 'normal:1')
    .addOption(
      new Option('--weights <convention>', 'hidden weight variance: he-fanout = 2/N_out (papers), he-fanin = 2/N_in; unnormalised (2) and input-scaled (first layer ×√d) are deliberate model violations')
        .choices(WEIGHT_CONVENTIONS as string[])
        .default('he-fanout'),
    )
    .option('--outputs <k>', 'number of outputs k', positiveInt('--outputs'), 1)
    .option('--seed <s>', 'seed: the same seed gives bit-identical weights everywhere', '0')
    .action((opts: { inputDim: number; widths: number[]; bias: string; weights: WeightConvention; outputs: number; seed: string }) => {
      if (opts.inputDim > FORMAT_LIMITS.maxInputDim) throw new UserError(`--input-dim: ${opts.inputDim} exceeds the limit of ${FORMAT_LIMITS.maxInputDim}`);
      const net = sampleNetwork({
        inputDim: opts.inputDim,
        widths: opts.widths,
        bias: parseBiasLaw(opts.bias),
        weights: opts.weights,
        seed: parseSeed(opts.seed),
        outputs: opts.outputs,
      });
      io.out(stringifyReluMlp(net) + '\n');
    });
}
