import type { Norm } from '../../linalg/norms.js';
import type { Network } from '../../network/network.js';

/**
 * A search direction for raising ‖J(x)‖_{p→p}: the gradient, in x, of cᵀ J_τ(x) u, where J_τ is the
 * Jacobian of the network with every ReLU replaced by τ·softplus(·/τ) (ρ′ = sigmoid(z/τ),
 * ρ″ = ρ′(1 − ρ′)/τ), and u, c are taken from J_τ itself as the norm picks them: p = 2,
 * u = J_τᵀc with c the given output combination (then this is half the gradient of ‖J_τᵀc‖²);
 * p = ∞, u = sign(J_τᵀc); p = 1, c = sign(J_τu) with u the given coordinate vector. For the exact
 * network J is piecewise constant (its gradient is 0 almost everywhere); smoothed, the direction
 * points across the nearby kinks whose switching raises the norm — neuron (ℓ, i) pushes x towards
 * switching on when its contribution is positive and off when negative, weighted by how close it
 * is to its kink. Taking u (or c) from J_τ rather than J matters: a neuron that is off contributes
 * nothing to J, so a direction read from J alone would never ask to switch it on.
 *
 * Cost: a forward pass with tangents, a backward pass for u (or c) and a reverse pass through the
 * tangents: about 6 × parameters multiply-adds — no d × parameters term. τ is set per layer to
 * `temperature` × the root mean square of that layer's pre-activations at x, so the direction does
 * not depend on the scale of the weights. It is only a direction to search in: callers evaluate
 * the exact norm and keep a point only if the norm increased.
 */
export function smoothedAscentDirection(net: Network, x: ArrayLike<number>, norm: Norm, exact: { readonly u: Float64Array; readonly c: Float64Array }, temperature: number): Float64Array {
  const hidden = net.layers.length - 1;
  const last = net.layers[hidden];
  const s1: Float64Array[] = []; // ρ′(z)
  const s2: Float64Array[] = []; // ρ″(z)
  let a: ArrayLike<number> = x;
  for (let l = 0; l < hidden; l++) {
    const { outDim, inDim, weights, biases } = net.layers[l];
    const z = new Float64Array(outDim);
    let square = 0;
    for (let i = 0; i < outDim; i++) {
      let v = biases[i];
      const o = i * inDim;
      for (let j = 0; j < inDim; j++) v += weights[o + j] * a[j];
      z[i] = v;
      square += v * v;
    }
    const tau = temperature * Math.sqrt(square / Math.max(1, outDim)) || 1;
    const p1 = new Float64Array(outDim);
    const p2 = new Float64Array(outDim);
    const next = new Float64Array(outDim);
    for (let i = 0; i < outDim; i++) {
      const r = z[i] / tau;
      const sig = r >= 0 ? 1 / (1 + Math.exp(-r)) : Math.exp(r) / (1 + Math.exp(r));
      p1[i] = sig;
      p2[i] = (sig * (1 - sig)) / tau;
      next[i] = r > 30 ? z[i] : tau * Math.log1p(Math.exp(r));
    }
    s1.push(p1);
    s2.push(p2);
    a = next;
  }
  // u and c from J_τ.
  let u: Float64Array = exact.u;
  let c: ArrayLike<number> = exact.c;
  if (norm === '1') {
    const out = tangents(net, s1, u).output;
    c = out.map((v) => Math.sign(v));
  } else {
    u = transposedProduct(net, s1, c);
    if (norm === 'inf') u = u.map((v) => Math.sign(v));
  }
  const dz = tangents(net, s1, u).pre;
  // φ = cwᵀ ȧ_{L−1} with cw = W⁽ᴸ⁾ᵀc. Reverse: adjoints of a (value) and ȧ (tangent).
  let barA = new Float64Array(last.inDim);
  let barDA = new Float64Array(last.inDim);
  for (let r = 0; r < last.outDim; r++) {
    if (c[r] === 0) continue;
    for (let j = 0; j < last.inDim; j++) barDA[j] += c[r] * last.weights[r * last.inDim + j];
  }
  for (let l = hidden - 1; l >= 0; l--) {
    const { outDim, inDim, weights } = net.layers[l];
    // ȧ = ρ′(z)·ż and a = ρ(z): adjoints of z and ż.
    const barZ = new Float64Array(outDim);
    const barDZ = new Float64Array(outDim);
    for (let i = 0; i < outDim; i++) {
      barDZ[i] = s1[l][i] * barDA[i];
      barZ[i] = s2[l][i] * dz[l][i] * barDA[i] + s1[l][i] * barA[i];
    }
    // z = W a + b and ż = W ȧ: adjoints of the layer's inputs.
    const nextA = new Float64Array(inDim);
    const nextDA = new Float64Array(inDim);
    for (let i = 0; i < outDim; i++) {
      const gz = barZ[i];
      const gd = barDZ[i];
      if (gz === 0 && gd === 0) continue;
      const o = i * inDim;
      for (let j = 0; j < inDim; j++) {
        nextA[j] += weights[o + j] * gz;
        nextDA[j] += weights[o + j] * gd;
      }
    }
    barA = nextA;
    barDA = nextDA;
  }
  return barA; // the input's ż = u does not depend on x: ∇φ is the adjoint of x alone
}

/** Tangents along u of the smoothed network (gates s1): the hidden pre-activations' and the output's. */
function tangents(net: Network, s1: Float64Array[], u: ArrayLike<number>): { pre: Float64Array[]; output: Float64Array } {
  const pre: Float64Array[] = [];
  let da: ArrayLike<number> = u;
  for (let l = 0; l < net.layers.length; l++) {
    const { outDim, inDim, weights } = net.layers[l];
    const dz = new Float64Array(outDim);
    for (let i = 0; i < outDim; i++) {
      let v = 0;
      const o = i * inDim;
      for (let j = 0; j < inDim; j++) v += weights[o + j] * da[j];
      dz[i] = v;
    }
    if (l === net.layers.length - 1) return { pre, output: dz };
    pre.push(dz);
    da = dz.map((v, i) => v * s1[l][i]);
  }
  throw new Error('unreachable');
}

/** J_τᵀc: the smoothed gradient of cᵀf, by one backward pass through the gates s1. */
function transposedProduct(net: Network, s1: Float64Array[], c: ArrayLike<number>): Float64Array {
  const hidden = net.layers.length - 1;
  let g = new Float64Array(net.layers[hidden].inDim);
  for (let l = hidden; l >= 0; l--) {
    const { outDim, inDim, weights } = net.layers[l];
    const next = new Float64Array(inDim);
    for (let i = 0; i < outDim; i++) {
      const gi = l === hidden ? c[i] : g[i] * s1[l][i];
      if (gi === 0) continue;
      const o = i * inDim;
      for (let j = 0; j < inDim; j++) next[j] += weights[o + j] * gi;
    }
    g = next;
  }
  return g;
}
