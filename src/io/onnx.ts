import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { InputError } from '../errors.js';
import { FORMAT_LIMITS } from '../network/format.js';
import { makeNetwork, type DenseLayer, type Network } from '../network/network.js';
import {
  DATA_TYPES,
  DOUBLE,
  FLOAT,
  OnnxError,
  SUPPORTED,
  broadcastTo,
  collectConstants,
  floatAttr,
  intAttr,
  label,
  num,
  product,
  requireFinite,
  requireFloat,
  shapeText,
  type Const,
  type Node,
} from './onnxTensors.js';

/**
 * Reading ONNX models (https://onnx.ai/onnx/repo-docs/IR.html, operators at
 * https://onnx.ai/onnx/operators/) that are feed-forward ReLU chains:
 *
 *   input → [Flatten | Reshape | Identity]* → (Gemm | MatMul [Add]) → Relu → … → (Gemm | MatMul [Add]) → [Reshape | Identity]* → output
 *
 * Every tensor is one sample (a symbolic batch dimension counts as 1) and is read as its row-major
 * flattening, so Flatten, Reshape and Identity only reshape. Weights come from initializers or
 * Constant nodes (possibly through Identity or a 2-D Transpose), as float32 or float64 (raw_data little-endian, or float_data/double_data); float32
 * values are widened to float64 exactly, so the network lipcheck reads is the real-number function
 * the file defines (ONNX Runtime evaluates it in float32 and differs by rounding). Affine maps with
 * no ReLU between them are composed; a ReLU first or last becomes an identity layer, which is exact.
 * Everything else — another operator, several inputs, a branch or skip connection — is an
 * `InputError` of one line naming the node (its name, or `#index` when unnamed) and its op type.
 */

/** An affine map x ↦ W x + b (W row-major out × in) not yet closed by a ReLU. */
interface Affine {
  inDim: number;
  outDim: number;
  weights: Float64Array;
  biases: Float64Array;
}

function identity(n: number): Affine {
  const weights = new Float64Array(n * n);
  for (let i = 0; i < n; i++) weights[i * n + i] = 1;
  return { inDim: n, outDim: n, weights, biases: new Float64Array(n) };
}

/** (M, c) ∘ (W, b) = (M W, M b + c). */
function compose(first: Affine, m: Float64Array, outDim: number, c: Float64Array): Affine {
  const { inDim, outDim: mid } = first;
  const weights = new Float64Array(outDim * inDim);
  const biases = c.slice();
  for (let i = 0; i < outDim; i++) {
    for (let k = 0; k < mid; k++) {
      const mik = m[i * mid + k];
      if (mik === 0) continue;
      biases[i] += mik * first.biases[k];
      for (let j = 0; j < inDim; j++) weights[i * inDim + j] += mik * first.weights[k * inDim + j];
    }
  }
  return { inDim, outDim, weights, biases };
}

/** The walk from the single input to the single output, one node at a time. */
class ChainReader {
  private readonly layers: DenseLayer[] = [];
  private pending: Affine | null = null;
  private types = new Set<string>();

  constructor(
    private shape: number[],
    private readonly consts: Map<string, () => Const>,
  ) {}

  private get width(): number {
    return product(this.shape);
  }

  private constant(name: string | undefined, where: string, what: string): Const {
    const get = name ? this.consts.get(name) : undefined;
    if (!get) throw new OnnxError(`${where}: the ${what} '${name ?? ''}' is not a constant (an initializer or a Constant node)`);
    let c: Const;
    try {
      c = get();
    } catch (err) {
      if (err instanceof OnnxError) throw new OnnxError(`${where}: ${err.message}`);
      throw err;
    }
    requireFloat(c, where);
    requireFinite(c, where);
    this.types.add(DATA_TYPES[c.dataType]);
    return c;
  }

  /** A batch-1 vector: every dimension but the last is 1. */
  private requireVector(where: string, rank2: boolean): number {
    const s = this.shape;
    if ((rank2 && s.length !== 2) || s.length === 0 || s.slice(0, -1).some((d) => d !== 1)) {
      throw new OnnxError(`${where}: takes a value of shape ${shapeText(s)}; lipcheck needs a batch-1 vector ${rank2 ? '[1, n]' : '[n] or [1, n]'}`);
    }
    return s[s.length - 1];
  }

  /** Applies x ↦ m x + c (m row-major outDim × width) after the pending affine map. */
  private affine(m: Float64Array, outDim: number, c: Float64Array): void {
    this.pending = this.pending ? compose(this.pending, m, outDim, c) : { inDim: this.width, outDim, weights: m, biases: c };
  }

  private closeLayer(): void {
    const p = this.pending ?? identity(this.width);
    this.layers.push({ inDim: p.inDim, outDim: p.outDim, weights: p.weights, biases: p.biases });
    this.pending = null;
  }

  gemm(node: Node, where: string): void {
    if (intAttr(node, 'transA', 0) !== 0) throw new OnnxError(`${where}: transA = 1 is not supported`);
    const transB = intAttr(node, 'transB', 0) !== 0;
    const alpha = floatAttr(node, 'alpha', 1);
    const beta = floatAttr(node, 'beta', 1);
    const width = this.requireVector(where, true);
    const b = this.constant(node.input?.[1], where, 'weight B');
    if (b.dims.length !== 2) throw new OnnxError(`${where}: the weight ${b.origin} has shape ${shapeText(b.dims)}, expected 2-D`);
    const [inDim, outDim] = transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
    if (inDim !== width) throw new OnnxError(`${where}: the weight ${b.origin} of shape ${shapeText(b.dims)} takes ${inDim} inputs, the value has ${width}`);
    const m = new Float64Array(outDim * inDim);
    for (let i = 0; i < outDim; i++) for (let j = 0; j < inDim; j++) m[i * inDim + j] = alpha * (transB ? b.data[i * inDim + j] : b.data[j * outDim + i]);
    let c = new Float64Array(outDim);
    const cName = node.input?.[2];
    if (cName) {
      const bias = broadcastTo(this.constant(cName, where, 'bias C'), [1, outDim], where);
      if (bias.shape.length !== 2) throw new OnnxError(`${where}: the bias C has too many dimensions`);
      c = bias.data.map((v) => beta * v);
    }
    this.affine(m, outDim, c);
    this.shape = [1, outDim];
  }

  matmul(node: Node, where: string): void {
    const width = this.requireVector(where, false);
    const b = this.constant(node.input?.[1], where, 'weight');
    if (b.dims.length !== 2) throw new OnnxError(`${where}: the weight ${b.origin} has shape ${shapeText(b.dims)}, expected 2-D`);
    const [inDim, outDim] = b.dims;
    if (inDim !== width) throw new OnnxError(`${where}: the weight ${b.origin} of shape ${shapeText(b.dims)} takes ${inDim} inputs, the value has ${width}`);
    const m = new Float64Array(outDim * inDim);
    for (let i = 0; i < outDim; i++) for (let j = 0; j < inDim; j++) m[i * inDim + j] = b.data[j * outDim + i];
    this.affine(m, outDim, new Float64Array(outDim));
    this.shape = [...this.shape.slice(0, -1), outDim];
  }

  add(node: Node, where: string, current: string): void {
    const other = node.input?.[0] === current ? node.input?.[1] : node.input?.[0];
    const c = broadcastTo(this.constant(other, where, 'addend'), this.shape, where);
    if (product(c.shape) !== this.width) throw new OnnxError(`${where}: the addend would broadcast the value beyond one sample`);
    this.pending ??= identity(this.width);
    for (let i = 0; i < c.data.length; i++) this.pending.biases[i] += c.data[i];
    this.shape = c.shape;
  }

  relu(): void {
    // relu(relu(v)) = relu(v): a ReLU right after another one (reshapes between) changes nothing.
    if (this.pending === null && this.layers.length > 0) return;
    this.closeLayer();
  }

  flatten(node: Node, where: string): void {
    const rank = this.shape.length;
    let axis = intAttr(node, 'axis', 1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank) throw new OnnxError(`${where}: axis ${intAttr(node, 'axis', 1)} is out of range for shape ${shapeText(this.shape)}`);
    this.shape = [product(this.shape.slice(0, axis)), product(this.shape.slice(axis))];
  }

  reshape(node: Node, where: string): void {
    const get = this.consts.get(node.input?.[1] ?? '');
    if (!get) throw new OnnxError(`${where}: the target shape is not a constant`);
    const target = Array.from(get().data);
    const allowZero = intAttr(node, 'allowzero', 0) !== 0;
    const resolved = target.map((t, i) => (t === 0 && !allowZero ? this.shape[i] : t));
    const known = product(resolved.filter((t) => t !== -1));
    const unknown = resolved.filter((t) => t === -1).length;
    if (unknown > 1 || resolved.some((t) => t === undefined || t < -1) || (unknown === 1 && (known === 0 || this.width % known !== 0))) {
      throw new OnnxError(`${where}: cannot reshape ${shapeText(this.shape)} to ${shapeText(target)}`);
    }
    const next = resolved.map((t) => (t === -1 ? this.width / known : t));
    if (product(next) !== this.width) throw new OnnxError(`${where}: cannot reshape ${shapeText(this.shape)} (${this.width} entries) to ${shapeText(target)}`);
    this.shape = next;
  }

  /** The network read so far; the pending affine map (or an identity after a final ReLU) is the output layer. */
  finish(): { layers: DenseLayer[]; weightType: string } {
    if (this.pending === null && this.layers.length === 0) throw new OnnxError('no Gemm or MatMul between the input and the output');
    this.closeLayer();
    return { layers: this.layers, weightType: [...this.types].sort().join('+') || 'none' };
  }

  get outputShape(): number[] {
    return this.shape;
  }

  dispatch(node: Node, where: string, current: string): void {
    const inputs = (node.input ?? []).filter((n) => n !== '');
    const operand = inputs.indexOf(current);
    const firstOnly = ['Gemm', 'MatMul', 'Flatten', 'Reshape', 'Identity', 'Relu'];
    if (firstOnly.includes(node.opType ?? '') && operand !== 0) {
      throw new OnnxError(`${where}: the computed value must be the first operand (lipcheck reads x·W, not W·x)`);
    }
    switch (node.opType) {
      case 'Gemm': return this.gemm(node, where);
      case 'MatMul': return this.matmul(node, where);
      case 'Add': return this.add(node, where, current);
      case 'Relu': return this.relu();
      case 'Flatten': return this.flatten(node, where);
      case 'Reshape': return this.reshape(node, where);
      case 'Identity': return;
      default: throw new OnnxError(`${where}: unsupported operator (lipcheck reads ${SUPPORTED})`);
    }
  }
}

/** The single real input (graph inputs that are initializers are not inputs) and its per-sample shape. */
function graphInput(graph: onnx.IGraphProto): { name: string; shape: number[]; shapeText: string } {
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !inits.has(i.name));
  if (inputs.length !== 1) {
    throw new OnnxError(`the graph has ${inputs.length} inputs (${inputs.map((i) => `'${i.name}'`).join(', ')}); lipcheck reads networks with exactly one input`);
  }
  const input = inputs[0];
  const tensor = input.type?.tensorType;
  if (!tensor) throw new OnnxError(`input '${input.name}' is not a tensor`);
  if (tensor.elemType !== FLOAT && tensor.elemType !== DOUBLE) {
    throw new OnnxError(`input '${input.name}' has element type ${DATA_TYPES[tensor.elemType ?? 0] ?? tensor.elemType}; lipcheck reads float32 and float64 inputs`);
  }
  const dims = tensor.shape?.dim ?? [];
  if (!tensor.shape || dims.length === 0) throw new OnnxError(`input '${input.name}' has no shape (lipcheck needs the input dimension)`);
  const shape: number[] = [];
  const text: string[] = [];
  dims.forEach((d, i) => {
    const fixed = num(d.dimValue);
    text.push(fixed > 0 ? String(fixed) : d.dimParam || '?');
    if (fixed > 0) shape.push(fixed);
    else if (i === 0 && dims.length >= 2) shape.push(1); // a symbolic batch dimension
    else throw new OnnxError(`input '${input.name}' has an unknown dimension ${i} in shape [${text.join(', ')}${i < dims.length - 1 ? ', …' : ''}]`);
  });
  return { name: input.name ?? '', shape, shapeText: `[${text.join(', ')}]` };
}

function readGraph(model: onnx.ModelProto): Network {
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const { consts, constNodes } = collectConstants(graph);
  const input = graphInput(graph);
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) throw new OnnxError(`the graph has ${outputs.length} outputs; lipcheck reads networks with exactly one output`);
  const outputName = outputs[0].name ?? '';
  const inputDim = product(input.shape);
  if (inputDim > FORMAT_LIMITS.maxInputDim) throw new OnnxError(`input '${input.name}' has ${inputDim} entries, more than the limit of ${FORMAT_LIMITS.maxInputDim}`);

  // Who reads each computed value (constants are not computed values).
  const consumers = new Map<string, number[]>();
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (constNodes.has(i)) return;
    for (const name of new Set(node.input ?? [])) {
      if (name === '' || consts.has(name)) continue;
      consumers.set(name, [...(consumers.get(name) ?? []), i]);
    }
    for (const name of node.output ?? []) producer.set(name, i);
  });
  const describeValue = (name: string): string => {
    const p = producer.get(name);
    return p === undefined ? `the input '${name}'` : `the output '${name}' of ${label(nodes[p], p)}`;
  };

  const reader = new ChainReader(input.shape, consts);
  const visited = new Set<number>();
  let current = input.name;
  for (;;) {
    const users = consumers.get(current) ?? [];
    if (current === outputName) {
      if (users.length > 0) throw new OnnxError(`${label(nodes[users[0]], users[0])}: reads the graph output '${outputName}' (lipcheck reads a chain ending at the output)`);
      break;
    }
    if (users.length === 0) throw new OnnxError(`${describeValue(current)} is read by no node and is not the graph output '${outputName}'`);
    if (users.length > 1) {
      const names = users.map((u) => label(nodes[u], u)).join(' and ');
      throw new OnnxError(`${describeValue(current)} feeds ${names}: a branch or skip connection (lipcheck reads a chain)`);
    }
    const index = users[0];
    const node = nodes[index];
    const where = label(node, index);
    if (visited.has(index)) throw new OnnxError(`${where}: the graph has a cycle`);
    visited.add(index);
    const computed = (node.input ?? []).filter((n) => n !== '' && !consts.has(n));
    if (new Set(computed).size > 1) {
      throw new OnnxError(`${where}: combines computed values ${[...new Set(computed)].map((n) => `'${n}'`).join(' and ')}: a branch or skip connection (lipcheck reads a chain)`);
    }
    reader.dispatch(node, where, current);
    if ((node.output ?? []).filter((n) => n !== '').length !== 1) throw new OnnxError(`${where}: expected exactly one output`);
    current = node.output![0];
  }
  nodes.forEach((node, i) => {
    if (!visited.has(i) && !constNodes.has(i)) throw new OnnxError(`${label(node, i)}: not on the chain from the input '${input.name}' to the output '${outputName}'`);
  });
  const { layers, weightType } = reader.finish();
  const parameters = layers.reduce((s, l) => s + l.weights.length + l.biases.length, 0);
  if (parameters > FORMAT_LIMITS.maxParameters) throw new OnnxError(`the network exceeds the limit of ${FORMAT_LIMITS.maxParameters} parameters`);
  if (layers.length > FORMAT_LIMITS.maxLayers) throw new OnnxError(`${layers.length} layers exceed the limit of ${FORMAT_LIMITS.maxLayers}`);
  // A file lipcheck wrote carries the network's own meta: restore it as it was.
  const stored = storedMeta(model);
  if (stored) return makeNetwork(inputDim, layers, stored);
  const opset = (model.opsetImport ?? []).find((o) => !o.domain)?.version;
  return makeNetwork(inputDim, layers, {
    importedFrom: {
      format: 'onnx',
      producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim() || 'unknown',
      opset: opset === undefined ? null : num(opset),
      input: input.name,
      inputShape: input.shapeText,
      output: outputName,
      outputShape: shapeText(reader.outputShape),
      weightType,
    },
  });
}

/** The meta that `lipcheck convert` stores in metadata_props under `lipcheck.meta`, if any. */
function storedMeta(model: onnx.ModelProto): Record<string, unknown> | null {
  const entry = (model.metadataProps ?? []).find((p) => p.key === ONNX_META_KEY);
  if (!entry?.value) return null;
  try {
    const value: unknown = JSON.parse(entry.value);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The metadata_props key under which lipcheck keeps a network's meta as JSON. */
export const ONNX_META_KEY = 'lipcheck.meta';

/**
 * A cheap guess that bytes are a serialized ModelProto: every exporter writes ir_version (field 1,
 * varint, tag byte 0x08) first. Guarantees nothing about validity; `parseOnnx` checks that.
 */
export function looksLikeOnnx(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0] === 0x08;
}

/**
 * Decodes bytes as an ONNX ModelProto with a graph. Throws a one-line `InputError` naming `source`
 * for bytes that do not decode (truncated or corrupt) or hold no graph.
 */
export function decodeOnnx(bytes: Uint8Array, source: string): onnx.ModelProto {
  let model: onnx.ModelProto;
  try {
    model = onnxProto.onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new InputError(source, `not a valid ONNX model: the protobuf does not decode (${(err as Error).message}; truncated or corrupt file?)`);
  }
  if (!model.graph) throw new InputError(source, 'not a valid ONNX model: it has no graph');
  return model;
}

/**
 * Reads a feed-forward ReLU network from ONNX bytes into lipcheck's `Network` (weights outputs ×
 * inputs, float64). The result evaluates, in exact arithmetic, the same function as the file on one
 * sample. Anything outside the supported chain is a one-line `InputError` naming `source` and the
 * offending node.
 */
export function parseOnnx(bytes: Uint8Array, source: string): Network {
  const model = decodeOnnx(bytes, source);
  try {
    return readGraph(model);
  } catch (err) {
    if (err instanceof OnnxError) throw new InputError(source, `ONNX: ${err.message}`);
    throw err;
  }
}
