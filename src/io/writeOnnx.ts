import onnxProto from 'onnx-proto';
import type { Network } from '../network/network.js';
import { ONNX_META_KEY } from './onnx.js';

/**
 * Writing a network as ONNX: one Gemm (transB = 1, so the weight is stored outputs × inputs exactly
 * as lipcheck keeps it) per layer and a Relu after each hidden one; input `input` of shape
 * [batch, d], output `output` of shape [batch, k]; IR version 8, default-domain opset 13. The
 * network's meta is kept as JSON in metadata_props under `lipcheck.meta`, so reading the file back
 * restores it.
 *
 * Element type: float32 (the default) is what PyTorch writes and every ONNX consumer runs; it rounds
 * each weight to the nearest float32. float64 is a lossless copy (reading it back gives the same
 * doubles), but ONNX Runtime's default (extended) graph optimisations fuse Gemm + Relu into a
 * float-only kernel, so float64 files need graphOptimizationLevel 'basic' there.
 */
export type OnnxFloat = 'float32' | 'float64';

export const ONNX_FLOATS: readonly OnnxFloat[] = ['float32', 'float64'];

function rawData(values: Float64Array, dtype: OnnxFloat): Uint8Array {
  const size = dtype === 'float32' ? 4 : 8;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'float32') view.setFloat32(i * size, values[i], true);
    else view.setFloat64(i * size, values[i], true);
  }
  return out;
}

/** The largest |w − float32(w)| over all weights and biases: what `float32` output changes. */
export function float32RoundingError(net: Network): number {
  let worst = 0;
  for (const l of net.layers) {
    for (const v of l.weights) worst = Math.max(worst, Math.abs(v - Math.fround(v)));
    for (const v of l.biases) worst = Math.max(worst, Math.abs(v - Math.fround(v)));
  }
  return worst;
}

/**
 * Serialises a network as an ONNX ModelProto (see the module comment). Guarantees: reading the
 * bytes with `parseOnnx` gives the same architecture and meta, and the same weights exactly for
 * float64 (rounded to float32 otherwise).
 */
export function networkToOnnx(net: Network, dtype: OnnxFloat = 'float32'): Uint8Array {
  const elemType = dtype === 'float32' ? 1 : 11;
  const initializer: Record<string, unknown>[] = [];
  const node: Record<string, unknown>[] = [];
  let current = 'input';
  net.layers.forEach((layer, l) => {
    const last = l === net.layers.length - 1;
    const gemmOut = last ? 'output' : `layer${l}/Gemm_output`;
    initializer.push(
      { name: `layer${l}.weight`, dataType: elemType, dims: [layer.outDim, layer.inDim], rawData: rawData(layer.weights, dtype) },
      { name: `layer${l}.bias`, dataType: elemType, dims: [layer.outDim], rawData: rawData(layer.biases, dtype) },
    );
    node.push({
      name: `layer${l}/Gemm`,
      opType: 'Gemm',
      input: [current, `layer${l}.weight`, `layer${l}.bias`],
      output: [gemmOut],
      attribute: [{ name: 'transB', type: 2, i: 1 }],
    });
    current = gemmOut;
    if (!last) {
      node.push({ name: `layer${l}/Relu`, opType: 'Relu', input: [current], output: [`layer${l}/Relu_output`] });
      current = `layer${l}/Relu_output`;
    }
  });
  const k = net.layers[net.layers.length - 1].outDim;
  const valueInfo = (name: string, width: number) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
  });
  const model = onnxProto.onnx.ModelProto.fromObject({
    irVersion: 8,
    producerName: 'lipcheck',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: 13 }],
    metadataProps: net.meta === undefined ? [] : [{ key: ONNX_META_KEY, value: JSON.stringify(net.meta) }],
    graph: {
      name: 'relu_mlp',
      node,
      initializer,
      input: [valueInfo('input', net.inputDim)],
      output: [valueInfo('output', k)],
    },
  });
  return onnxProto.onnx.ModelProto.encode(model).finish();
}
