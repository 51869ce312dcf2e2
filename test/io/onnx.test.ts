import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { parseOnnx } from '../../src/io/onnx.js';
import { inputErrorOf } from '../support/inputError.js';
import { evaluate } from '../../src/network/evaluate.js';
import { describeArchitecture, type Network } from '../../src/network/network.js';
import { createStream } from '../../src/random/stream.js';

const dir = 'fixtures/onnx';

function read(name: string): Network {
  return parseOnnx(readFileSync(`${dir}/${name}`), `${dir}/${name}`);
}

/** The one-line InputError message that reading `bytes` produces. */
function errorOf(bytes: Uint8Array, source = 'bad.onnx'): string {
  return inputErrorOf(() => parseOnnx(bytes, source));
}

/**
 * The same graph with every float32 tensor (initializers, Constant values, declared value types)
 * cast to float64, made with the protobuf library alone: ONNX Runtime then evaluates the file's
 * function in double precision, which lipcheck's float64 evaluation must match closely.
 */
function castToFloat64(bytes: Uint8Array): Uint8Array {
  const m = onnxProto.onnx.ModelProto.decode(bytes);
  const cast = (t: onnxProto.onnx.ITensorProto): void => {
    if (t.dataType !== 1) return;
    const values = t.rawData && t.rawData.length > 0 ? Array.from(new Float32Array(Uint8Array.from(t.rawData).buffer)) : Array.from(t.floatData ?? []);
    t.dataType = 11;
    t.rawData = new Uint8Array(Float64Array.from(values).buffer);
    t.floatData = [];
  };
  const g = m.graph!;
  g.initializer!.forEach(cast);
  for (const n of g.node!) for (const a of n.attribute ?? []) if (a.t) cast(a.t);
  for (const v of [...g.input!, ...g.output!, ...(g.valueInfo ?? [])]) if (v.type?.tensorType?.elemType === 1) v.type.tensorType.elemType = 11;
  return onnxProto.onnx.ModelProto.encode(m).finish();
}

/** |W|·…·|x| + |b|: the size of the terms a forward pass adds up, the scale of its rounding errors. */
function magnitude(net: Network, x: number[]): number {
  let h = x.map(Math.abs);
  for (const l of net.layers) {
    h = Array.from(l.biases, (b, i) => Math.abs(b) + h.reduce((s, v, j) => s + Math.abs(l.weights[i * l.inDim + j]) * v, 0));
  }
  return Math.max(...h);
}

/**
 * Runs the file in ONNX Runtime at random points (float32-representable, so both sides see the
 * same input): in double precision (the file cast to float64) the outputs must agree with
 * lipcheck's to 1e-6 relative (in practice ~1e-15); in the file's own float32 arithmetic, to 1e-6
 * of the size of the summed terms (float32 rounding is ~6e-8 per operation). Graph optimisation
 * 'basic': the extended level fuses Gemm + Relu into a float-only kernel.
 */
async function agreesWithOnnxRuntime(name: string, count = 25): Promise<void> {
  const net = read(name);
  const bytes = readFileSync(`${dir}/${name}`);
  const exact = await ort.InferenceSession.create(castToFloat64(bytes), { graphOptimizationLevel: 'basic' });
  const native = await ort.InferenceSession.create(`${dir}/${name}`, { graphOptimizationLevel: 'basic' });
  const from = net.meta!.importedFrom as { inputShape: string; weightType: string };
  const shape = from.inputShape.slice(1, -1).split(', ').map((d) => (/^\d+$/.test(d) ? Number(d) : 1));
  const f64 = from.weightType === 'float64';
  const rng = createStream(7, name);
  for (let t = 0; t < count; t++) {
    const x = Array.from({ length: net.inputDim }, () => Math.fround(3 * rng.gaussian()));
    const ours = Array.from(evaluate(net, x));
    const run = async (s: ort.InferenceSession, double: boolean) => {
      const tensor = new ort.Tensor(double ? 'float64' : 'float32', double ? Float64Array.from(x) : Float32Array.from(x), shape);
      return Array.from((await s.run({ [s.inputNames[0]]: tensor }))[s.outputNames[0]].data as Float64Array);
    };
    const double = await run(exact, true);
    expect(double).toHaveLength(ours.length);
    const scale = Math.max(...double.map(Math.abs), 1e-300);
    ours.forEach((v, i) => expect(Math.abs(v - double[i])).toBeLessThanOrEqual(1e-6 * scale));
    const single = await run(native, f64);
    const size = magnitude(net, x);
    ours.forEach((v, i) => expect(Math.abs(v - single[i])).toBeLessThanOrEqual(1e-6 * size));
  }
}

describe('ONNX import of real exporters\' files', () => {
  it.each([
    ['shallow_gemm.onnx', '3→16→1', 'float32'],
    ['deep_matmul.onnx', '4→24→24→24→1', 'float32'],
    ['multi_output_f64.onnx', '2→8→8→3', 'float64'],
    ['flatten_reshape.onnx', '6→10→1', 'float32'],
    ['handmade_gemm.onnx', '4→5→2', 'float32'],
  ])('%s reads as %s and evaluates like ONNX Runtime', async (name, arch, weightType) => {
    const net = read(name);
    expect(describeArchitecture(net)).toBe(arch);
    expect(net.meta!.importedFrom).toMatchObject({ format: 'onnx', weightType });
    await agreesWithOnnxRuntime(name);
  });
  it('keeps float32 weights exactly and in PyTorch\'s outputs × inputs layout', () => {
    const net = read('shallow_gemm.onnx');
    for (const l of net.layers) for (const w of l.weights) expect(Math.fround(w)).toBe(w);
    expect(net.meta!.importedFrom).toMatchObject({ producer: 'pytorch 1.13.0', opset: 14, input: 'input', inputShape: '[batch, 3]', output: 'output' });
  });
  it('applies alpha, beta and transB = 0 of Gemm', () => {
    const net = read('handmade_gemm.onnx');
    const model = onnxProto.onnx.ModelProto.decode(readFileSync(`${dir}/handmade_gemm.onnx`));
    const w0 = model.graph!.initializer!.find((t) => t.name === 'W0')!.floatData!; // 4 × 5, inputs × outputs
    const b0 = model.graph!.initializer!.find((t) => t.name === 'B0')!.floatData!;
    expect(net.layers[0].weights[1 * 4 + 2]).toBe(0.5 * w0[2 * 5 + 1]);
    expect(net.layers[0].biases[3]).toBe(2 * b0[3]);
  });
});

describe('ONNX files lipcheck refuses, each with one line naming the node', () => {
  it.each([
    ['bad_sigmoid.onnx', /^fixtures\/onnx\/bad_sigmoid\.onnx: ONNX: node '\/1\/Sigmoid' \(Sigmoid\): unsupported operator/],
    ['bad_skip.onnx', /: ONNX: the output '\/Relu_output_0' of node '\/Relu' \(Relu\) feeds node '\/b\/Gemm' \(Gemm\) and node '\/Add' \(Add\): a branch or skip connection/],
    ['bad_conv.onnx', /: ONNX: node '\/0\/Conv' \(Conv\): unsupported operator/],
    ['bad_two_inputs.onnx', /: ONNX: the graph has 2 inputs \('x', 'y'\); lipcheck reads networks with exactly one input$/],
    ['bad_nan.onnx', /: ONNX: node '\/2\/Gemm' \(Gemm\): initializer '2\.weight' has a non-finite entry NaN at flat index 1$/],
    ['bad_truncated.onnx', /: not a valid ONNX model: the protobuf does not decode \(index out of range.*truncated or corrupt file\?\)$/],
  ])('%s', (name, message) => {
    expect(errorOf(readFileSync(`${dir}/${name}`), `${dir}/${name}`)).toMatch(message);
  });
});

// Synthetic graphs for the cases no exporter writes.
type Obj = Record<string, unknown>;

function f32(name: string, dims: number[], values: number[], extra: Obj = {}): Obj {
  return { name, dataType: 1, dims, floatData: values, ...extra };
}

function model(nodes: Obj[], initializer: Obj[], opts: { inputs?: Obj[]; outputs?: string[]; metadata?: Obj[] } = {}): Uint8Array {
  const info = (name: string, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const m = onnxProto.onnx.ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    metadataProps: opts.metadata ?? [],
    graph: {
      node: nodes,
      initializer,
      input: opts.inputs ?? [info('x', ['N', 2])],
      output: (opts.outputs ?? ['y']).map((o) => info(o, ['N', 1])),
    },
  });
  return onnxProto.onnx.ModelProto.encode(m).finish();
}

const W = f32('W', [1, 2], [3, -4]); // 1 output, 2 inputs (transB = 1)
const B = f32('B', [1], [0.5]);
const gemm = (input: string, output: string, name = 'g', extra: Obj[] = []): Obj => ({
  name,
  opType: 'Gemm',
  input: [input, 'W', 'B'],
  output: [output],
  attribute: [{ name: 'transB', type: 2, i: 1 }, ...extra],
});

describe('synthetic ONNX graphs', () => {
  it('reads a single Gemm as an affine network', () => {
    const net = parseOnnx(model([gemm('x', 'y')], [W, B]), 'a.onnx');
    expect(describeArchitecture(net)).toBe('2→1');
    expect(Array.from(evaluate(net, [1, 1]))).toEqual([-0.5]);
  });
  it('composes affine maps without a ReLU between and turns a leading or trailing ReLU into an identity layer', () => {
    const W2 = f32('W2', [2, 2], [1, 2, 3, 4]);
    const nodes = [
      { name: 'r0', opType: 'Relu', input: ['x'], output: ['a'] },
      { name: 'm', opType: 'MatMul', input: ['a', 'W2'], output: ['b'] },
      { name: 'g', opType: 'Gemm', input: ['b', 'W', 'B'], output: ['c'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
      { name: 'r1', opType: 'Relu', input: ['c'], output: ['y'] },
    ];
    const net = parseOnnx(model(nodes, [W, B, W2]), 'c.onnx');
    expect(describeArchitecture(net)).toBe('2→2→1→1');
    // y = relu(W·(W2ᵀ·relu(x)) + B); W2 is inputs × outputs.
    const f = (x: number[]) => {
      const a = x.map((v) => Math.max(v, 0));
      const b = [a[0] * 1 + a[1] * 3, a[0] * 2 + a[1] * 4];
      return Math.max(3 * b[0] - 4 * b[1] + 0.5, 0);
    };
    for (const x of [[1, 2], [-1, 0.3], [2, -5], [0.1, 0.1]]) expect(evaluate(net, x)[0]).toBeCloseTo(f(x), 12);
  });
  it('drops a ReLU that follows a ReLU (through a Flatten): relu∘relu = relu', () => {
    const nodes = [
      gemm('x', 'h'),
      { name: 'r0', opType: 'Relu', input: ['h'], output: ['a'] },
      { name: 'f', opType: 'Flatten', input: ['a'], output: ['b'] },
      { name: 'r1', opType: 'Relu', input: ['b'], output: ['c'] },
      { name: 'm', opType: 'MatMul', input: ['c', 'V'], output: ['y'] },
    ];
    const net = parseOnnx(model(nodes, [W, B, f32('V', [1, 1], [2])]), 'rr.onnx');
    expect(describeArchitecture(net)).toBe('2→1→1');
    expect(Array.from(evaluate(net, [1, 0]))).toEqual([7]);
  });
  it('folds a Transpose of a constant weight (exporters that do not fold constants write one)', () => {
    const nodes = [
      { name: 't', opType: 'Transpose', input: ['W'], output: ['Wt'], attribute: [{ name: 'perm', type: 7, ints: [1, 0] }] },
      { name: 'm', opType: 'MatMul', input: ['x', 'Wt'], output: ['z'] },
      { name: 'a', opType: 'Add', input: ['z', 'B'], output: ['y'] },
    ];
    const net = parseOnnx(model(nodes, [W, B]), 't.onnx');
    expect(Array.from(evaluate(net, [1, 1]))).toEqual([-0.5]);
    const bad = [{ name: 't', opType: 'Transpose', input: ['B'], output: ['Bt'] }, { name: 'm', opType: 'MatMul', input: ['x', 'Bt'], output: ['y'] }];
    expect(errorOf(model(bad, [B]))).toMatch(/node 'm' \(MatMul\): node 't' \(Transpose\): lipcheck transposes 2-D constants only, got initializer 'B' of shape \[1\]/);
  });
  it('restores the meta lipcheck stored in metadata_props', () => {
    const net = parseOnnx(model([gemm('x', 'y')], [W, B], { metadata: [{ key: 'lipcheck.meta', value: '{"seed":4}' }] }), 'm.onnx');
    expect(net.meta).toEqual({ seed: 4 });
  });
  const cases: [string, Uint8Array, RegExp][] = [
    ['several outputs', model([gemm('x', 'y')], [W, B], { outputs: ['y', 'z'] }), /the graph has 2 outputs/],
    ['an unknown input dimension', model([gemm('x', 'y')], [W, B], { inputs: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimParam: 'D' }] } } } }] }), /input 'x' has an unknown dimension 1 in shape \[1, D\]/],
    ['an integer input', model([gemm('x', 'y')], [W, B], { inputs: [{ name: 'x', type: { tensorType: { elemType: 7, shape: { dim: [{ dimValue: 2 }] } } } }] }), /input 'x' has element type int64/],
    ['no input shape', model([gemm('x', 'y')], [W, B], { inputs: [{ name: 'x', type: { tensorType: { elemType: 1 } } }] }), /input 'x' has no shape/],
    ['transA = 1', model([gemm('x', 'y', 'g', [{ name: 'transA', type: 2, i: 1 }])], [W, B]), /node 'g' \(Gemm\): transA = 1 is not supported/],
    ['a computed weight', model([{ name: 'm', opType: 'MatMul', input: ['x', 'x'], output: ['y'] }], []), /node 'm' \(MatMul\): the weight 'x' is not a constant/],
    ['the weight first', model([{ name: 'm', opType: 'MatMul', input: ['W', 'x'], output: ['y'] }], [W]), /node 'm' \(MatMul\): the computed value must be the first operand/],
    ['a weight of the wrong size', model([{ name: 'm', opType: 'MatMul', input: ['x', 'W'], output: ['y'] }], [W]), /node 'm' \(MatMul\): the weight initializer 'W' of shape \[1, 2\] takes 1 inputs, the value has 2/],
    ['float16 weights', model([gemm('x', 'y')], [{ name: 'W', dataType: 10, dims: [1, 2], int32Data: [1, 2] }, B]), /node 'g' \(Gemm\): initializer 'W' has data type float16; lipcheck reads float32 and float64 weights/],
    ['external data', model([gemm('x', 'y')], [{ ...W, floatData: [], dataLocation: 1 }, B]), /initializer 'W' keeps its data in an external file/],
    ['too few values', model([gemm('x', 'y')], [f32('W', [1, 2], [3]), B]), /initializer 'W' has 1 values for shape \[1, 2\] \(expected 2\)/],
    ['raw data of the wrong length', model([gemm('x', 'y')], [{ name: 'W', dataType: 1, dims: [1, 2], rawData: new Uint8Array(7) }, B]), /initializer 'W' has 7 bytes of data for shape \[1, 2\] \(expected 8\)/],
    ['a bias that broadcasts the batch', model([gemm('x', 'y')], [W, f32('B', [3, 1], [1, 2, 3])]), /node 'g' \(Gemm\): initializer 'B' of shape \[3, 1\] does not broadcast/],
    ['an unnamed unsupported node', model([{ opType: 'Tanh', input: ['x'], output: ['y'] }], []), /^bad\.onnx: ONNX: node #0 \(Tanh\): unsupported operator/],
    ['a dangling value', model([gemm('x', 'h')], [W, B]), /the output 'h' of node 'g' \(Gemm\) is read by no node and is not the graph output 'y'/],
    ['a node off the chain', model([gemm('x', 'y'), { name: 'extra', opType: 'Relu', input: ['W'], output: ['q'] }], [W, B]), /node 'extra' \(Relu\): not on the chain/],
    ['a node after the output', model([gemm('x', 'y'), { name: 'after', opType: 'Relu', input: ['y'], output: ['z'] }], [W, B]), /node 'after' \(Relu\): reads the graph output 'y'/],
    ['no layer at all', model([{ name: 'i', opType: 'Identity', input: ['x'], output: ['y'] }], []), /no Gemm or MatMul between the input and the output/],
    ['a bad reshape', model([{ name: 'r', opType: 'Reshape', input: ['x', 'S'], output: ['h'] }, gemm('h', 'y')], [W, B, { name: 'S', dataType: 7, dims: [1], int64Data: [3] }]), /node 'r' \(Reshape\): cannot reshape \[1, 2\] \(2 entries\) to \[3\]/],
    ['a Gemm on a 3-D value', model([{ name: 'r', opType: 'Reshape', input: ['x', 'S'], output: ['h'] }, gemm('h', 'y')], [W, B, { name: 'S', dataType: 7, dims: [3], int64Data: [1, 1, 2] }]), /node 'g' \(Gemm\): takes a value of shape \[1, 1, 2\]; lipcheck needs a batch-1 vector \[1, n\]/],
    ['an unsupported constant', model([{ name: 'k', opType: 'Constant', input: [], output: ['W'], attribute: [{ name: 'sparse_value', type: 11 }] }, gemm('x', 'y')], [B]), /node 'k' \(Constant\): the constant attribute 'sparse_value' is not supported/],
    ['a graph with a cycle', model([{ name: 'a', opType: 'Relu', input: ['x'], output: ['x'] }], []), /node 'a' \(Relu\): the graph has a cycle$/],
  ];
  it.each(cases)('refuses %s', (_label, bytes, message) => {
    expect(errorOf(bytes)).toMatch(message);
  });
  it('refuses a ModelProto without a graph', () => {
    const bytes = onnxProto.onnx.ModelProto.encode(onnxProto.onnx.ModelProto.fromObject({ irVersion: 8 })).finish();
    expect(errorOf(bytes)).toBe('bad.onnx: not a valid ONNX model: it has no graph');
  });
  it('reads a Reshape of the input with 0 and -1 and constants from value_floats', () => {
    const nodes = [
      { name: 'shape', opType: 'Constant', input: [], output: ['S'], attribute: [{ name: 'value_ints', type: 7, ints: [0, -1] }] },
      { name: 'bias', opType: 'Constant', input: [], output: ['B'], attribute: [{ name: 'value_floats', type: 6, floats: [0.25] }] },
      { name: 'r', opType: 'Reshape', input: ['x', 'S'], output: ['h'] },
      { name: 'm', opType: 'MatMul', input: ['h', 'Wt'], output: ['z'] },
      { name: 'a', opType: 'Add', input: ['z', 'B'], output: ['y'] },
    ];
    const net = parseOnnx(model(nodes, [f32('Wt', [2, 1], [1, 2])]), 's.onnx');
    expect(Array.from(evaluate(net, [1, 1]))).toEqual([3.25]);
  });
});
