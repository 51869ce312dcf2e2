import { Command, Option } from 'commander';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../../io/files.js';
import { readNetworkFile } from '../../io/readNetwork.js';
import { float32RoundingError, networkToOnnx, ONNX_FLOATS, type OnnxFloat } from '../../io/writeOnnx.js';
import { stringifyReluMlp } from '../../network/format.js';
import { describeArchitecture } from '../../network/network.js';
import { fmt, type CliIo } from '../io.js';
import { clippingBox } from '../clipping.js';

/** The output format chosen by OUT's name: `-` or `*.json` relu-mlp, `*.onnx` ONNX. */
export function outputFormat(out: string): 'relu-mlp' | 'onnx' {
  if (out === '-' || /\.json$/i.test(out)) return 'relu-mlp';
  if (/\.onnx$/i.test(out)) return 'onnx';
  throw new UserError(`${out}: unknown output format (name it *.json for relu-mlp, *.onnx for ONNX, or - for relu-mlp on stdout)`);
}

/** writeFileAtomic, with a failure (a directory in the way, no permission) as one line naming the file. */
function write(path: string, data: string | Uint8Array): void {
  try {
    writeFileAtomic(path, data);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError(`${path}: cannot write (${e.code ?? e.message})`);
  }
}

/**
 * `lipcheck convert IN OUT [--dtype float32|float64]`: reads any supported format and writes relu-mlp
 * JSON (OUT `*.json`, or `-` for stdout) or ONNX (OUT `*.onnx`, Gemm/Relu). Files are written
 * atomically; the meta (e.g. an NNet's input box and that it clips) travels along: in relu-mlp's
 * `meta`, in ONNX's metadata_props (the graph itself does not clip: other ONNX tools evaluate the
 * raw-input network outside the box).
 */
export function convertCommand(io: CliIo): Command {
  return new Command('convert')
    .description('convert a network (relu-mlp JSON, ONNX or NNet) to relu-mlp JSON (*.json, - for stdout) or ONNX (*.onnx)')
    .argument('<in>', 'network file; - reads stdin')
    .argument('<out>', 'output: *.json (relu-mlp), *.onnx (ONNX Gemm/Relu) or - (relu-mlp on stdout)')
    .addOption(
      new Option('--dtype <type>', 'ONNX element type: float32 (what ONNX tools expect; rounds the weights) or float64 (lossless)')
        .choices(ONNX_FLOATS as string[])
        .default('float32'),
    )
    .action((input: string, output: string, opts: { dtype: OnnxFloat }) => {
      const format = outputFormat(output);
      const net = readNetworkFile(input);
      if (format === 'relu-mlp') {
        const text = stringifyReluMlp(net) + '\n';
        if (output === '-') {
          io.out(text);
          return;
        }
        write(output, text);
        io.out(`wrote ${output}: ${describeArchitecture(net)} as relu-mlp v1\n`);
        return;
      }
      write(output, networkToOnnx(net, opts.dtype));
      const rounding = opts.dtype === 'float32' ? float32RoundingError(net) : 0;
      const note = opts.dtype === 'float64' ? 'lossless' : rounding === 0 ? 'every weight was already a float32' : `weights rounded to float32, by at most ${fmt(rounding, 3)}`;
      io.out(`wrote ${output}: ${describeArchitecture(net)} as ONNX (Gemm/Relu, ${opts.dtype}; ${note})\n`);
      if (clippingBox(net)) {
        io.out(
          'note: the network clips its inputs to its input box; the ONNX graph is the network of the raw input (equal to it on the box), ' +
            'the clipping travels in the metadata (lipcheck.meta: inputBox, clipsInputs), which lipcheck reads back but other ONNX tools do not apply\n',
        );
      }
    });
}
