import type { onnx } from 'onnx-proto';
import { FORMAT_LIMITS } from '../network/format.js';

/**
 * The tensor side of the ONNX reader (src/io/onnx.ts): decoding initializers and Constant values
 * (float32, float64, int32, int64; raw_data little-endian or the typed lists; see TensorProto in
 * https://github.com/onnx/onnx/blob/main/onnx/onnx.proto), numpy-style broadcasting, node
 * attributes, and the error type whose message the reader turns into one InputError line.
 */

type Tensor = onnx.ITensorProto;
export type Node = onnx.INodeProto;

/** Protobuf int64 fields decode to numbers or Long objects. */
export type Int64 = number | { toNumber(): number };

/** The number a protobuf int64 field holds (exact up to 2^53; 0 when absent). */
export function num(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** A problem with the graph, worded without the file name; the reader prefixes it into one InputError line. */
export class OnnxError extends Error {}

/** The operators the reader accepts, as named in its errors. */
export const SUPPORTED = 'Gemm, MatMul, Add, Relu, Flatten, Reshape, Identity, Constant and Transpose of a constant';
/** TensorProto.DataType codes and their names in messages. */
export const DATA_TYPES: Record<number, string> = {
  0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};
/** The TensorProto.DataType codes the reader decodes. */
export const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
export const DOUBLE = 11;

/** A decoded constant tensor: its shape and values (shape entries and int64 values as doubles). */
export interface Const {
  readonly dims: number[];
  readonly data: Float64Array;
  readonly origin: string;
  readonly dataType: number;
}

/** The number of entries of a shape (1 for a scalar). */
export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** How errors name a node: `node 'name' (OpType)`, or `node #index (OpType)` when unnamed. */
export function label(node: Node, index: number): string {
  return `node ${node.name ? `'${node.name}'` : `#${index}`} (${node.opType || '?'})`;
}

/**
 * Decodes a tensor's values to doubles (exactly, for every supported type); throws an OnnxError naming
 * `origin` for external data, an unsupported type or a value count that does not match the shape.
 */
function decodeTensor(t: Tensor, origin: string): Const {
  if (t.dataLocation === 1) throw new OnnxError(`${origin} keeps its data in an external file (external data is not supported)`);
  const dims = (t.dims ?? []).map(num);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new OnnxError(`${origin} has an invalid shape [${dims.join(', ')}]`);
  const count = product(dims);
  if (count > FORMAT_LIMITS.maxParameters) throw new OnnxError(`${origin} has ${count} entries, more than the limit of ${FORMAT_LIMITS.maxParameters}`);
  const type = t.dataType ?? 0;
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  let data: Float64Array;
  if (raw) {
    const size = type === FLOAT || type === INT32 ? 4 : type === DOUBLE || type === INT64 ? 8 : 0;
    if (size === 0) throw new OnnxError(`${origin} has data type ${DATA_TYPES[type] ?? type}; lipcheck reads float32 and float64 weights`);
    if (raw.length !== count * size) throw new OnnxError(`${origin} has ${raw.length} bytes of data for shape [${dims.join(', ')}] (expected ${count * size})`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    data = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const o = i * size;
      data[i] = type === FLOAT ? view.getFloat32(o, true) : type === DOUBLE ? view.getFloat64(o, true) : type === INT32 ? view.getInt32(o, true) : Number(view.getBigInt64(o, true));
    }
  } else {
    const list: readonly Int64[] | null | undefined =
      type === FLOAT ? t.floatData : type === DOUBLE ? t.doubleData : type === INT64 ? t.int64Data : type === INT32 ? t.int32Data : null;
    if (!list) throw new OnnxError(`${origin} has data type ${DATA_TYPES[type] ?? type}; lipcheck reads float32 and float64 weights`);
    if (list.length !== count) throw new OnnxError(`${origin} has ${list.length} values for shape [${dims.join(', ')}] (expected ${count})`);
    data = Float64Array.from(list, num);
  }
  return { dims, data, origin, dataType: type };
}

/** The transpose of a 2-D constant (perm absent or [1, 0]). */
function transpose2d(c: Const, perm: number[] | undefined, where: string): Const {
  if (c.dims.length !== 2 || (perm && perm.length > 0 && !(perm[0] === 1 && perm[1] === 0))) {
    throw new OnnxError(`${where}: lipcheck transposes 2-D constants only, got ${c.origin} of shape ${shapeText(c.dims)}`);
  }
  const [rows, cols] = c.dims;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[j * rows + i] = c.data[i * cols + j];
  return { dims: [cols, rows], data, origin: `${c.origin} transposed by ${where}`, dataType: c.dataType };
}

/**
 * The constants of a graph — initializers, Constant nodes, and Identity or (2-D) Transpose nodes of constants — decoded
 * lazily (so an error names the node that uses them), and the indices of the nodes that only make constants.
 */
export function collectConstants(graph: onnx.IGraphProto): { consts: Map<string, () => Const>; constNodes: Set<number> } {
  const consts = new Map<string, () => Const>();
  const lazy = (make: () => Const): (() => Const) => {
    let cached: Const | null = null;
    return () => (cached ??= make());
  };
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    consts.set(name, lazy(() => decodeTensor(t, `initializer '${name}'`)));
  }
  const constNodes = new Set<number>();
  (graph.node ?? []).forEach((node, i) => {
    const out = node.output?.[0] ?? '';
    if (node.opType === 'Constant') {
      const attr = node.attribute?.[0];
      const origin = `${label(node, i)} output '${out}'`;
      if (!attr || node.attribute!.length !== 1) throw new OnnxError(`${label(node, i)}: expected exactly one value attribute`);
      let make: () => Const;
      if (attr.name === 'value' && attr.t) make = () => decodeTensor(attr.t!, origin);
      else if (attr.name === 'value_float') make = () => ({ dims: [], data: Float64Array.of(attr.f ?? 0), origin, dataType: FLOAT });
      else if (attr.name === 'value_floats') make = () => ({ dims: [attr.floats!.length], data: Float64Array.from(attr.floats ?? []), origin, dataType: FLOAT });
      else if (attr.name === 'value_int') make = () => ({ dims: [], data: Float64Array.of(num(attr.i)), origin, dataType: INT64 });
      else if (attr.name === 'value_ints') make = () => ({ dims: [attr.ints!.length], data: Float64Array.from(attr.ints ?? [], num), origin, dataType: INT64 });
      else throw new OnnxError(`${label(node, i)}: the constant attribute '${attr.name}' is not supported`);
      consts.set(out, lazy(make));
      constNodes.add(i);
    } else if (node.opType === 'Identity' && consts.has(node.input?.[0] ?? '')) {
      consts.set(out, consts.get(node.input![0])!);
      constNodes.add(i);
    } else if (node.opType === 'Transpose' && consts.has(node.input?.[0] ?? '')) {
      // Exporters that do not fold constants transpose a weight matrix in the graph.
      const source = consts.get(node.input![0])!;
      const perm = attribute(node, 'perm')?.ints?.map(num);
      consts.set(out, lazy(() => transpose2d(source(), perm, label(node, i))));
      constNodes.add(i);
    }
  });
  return { consts, constNodes };
}

/** A shape as `[a, b]`. */
export function shapeText(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

/**
 * Values of `c` broadcast (numpy rules) against a value of shape `shape`: the result has `shape`'s
 * entries (with leading 1s when c has more dimensions). Throws an OnnxError when c would enlarge it.
 */
export function broadcastTo(c: Const, shape: readonly number[], where: string): { data: Float64Array; shape: number[] } {
  const rank = Math.max(shape.length, c.dims.length);
  const a = [...Array(rank - shape.length).fill(1), ...shape];
  const b = [...Array(rank - c.dims.length).fill(1), ...c.dims];
  for (let i = 0; i < rank; i++) {
    if (b[i] !== a[i] && b[i] !== 1) throw new OnnxError(`${where}: ${c.origin} of shape ${shapeText(c.dims)} does not broadcast to the value's shape ${shapeText(shape)}`);
  }
  const total = product(a);
  const data = new Float64Array(total);
  const strides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = b[i] === 1 ? 0 : s;
    s *= b[i];
  }
  for (let f = 0; f < total; f++) {
    let rem = f;
    let src = 0;
    for (let i = rank - 1; i >= 0; i--) {
      const idx = rem % a[i];
      rem = (rem - idx) / a[i];
      src += idx * strides[i];
    }
    data[f] = c.data[src];
  }
  return { data, shape: a };
}

/** Throws an OnnxError at the first NaN or ±Infinity of a constant. */
export function requireFinite(c: Const, where: string): void {
  for (let i = 0; i < c.data.length; i++) {
    if (!Number.isFinite(c.data[i])) throw new OnnxError(`${where}: ${c.origin} has a non-finite entry ${c.data[i]} at flat index ${i}`);
  }
}

/** Throws an OnnxError unless a constant is float32 or float64. */
export function requireFloat(c: Const, where: string): void {
  if (c.dataType !== FLOAT && c.dataType !== DOUBLE) throw new OnnxError(`${where}: ${c.origin} has data type ${DATA_TYPES[c.dataType] ?? c.dataType}; lipcheck reads float32 and float64 weights`);
}

/** A node's attribute by name. */
export function attribute(node: Node, name: string): onnx.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

/** An INT attribute, or `fallback` when the node does not set it. */
export function intAttr(node: Node, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a ? num(a.i) : fallback;
}

/** A FLOAT attribute, or `fallback` when the node does not set it. */
export function floatAttr(node: Node, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a ? (a.f ?? 0) : fallback;
}
