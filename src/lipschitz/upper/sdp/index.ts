/**
 * LipSDP-Neuron upper bounds on Lip₂, verified in floating point: the public surface.
 *
 * - `lipSdpBound(net, box | null, options)`: the certified bound (global or local), anytime.
 * - `eclipseFastBound(net, box | null)`: ECLipsE-Fast's closed form, certified (milliseconds).
 * - `branchedSdpBound(net, box | null, options)`: branch and bound on the input domain with local
 *   LipSDP bounds (global constants through the homogenised domain).
 * - `proveCertificate` / `certify`: the verifier, for multipliers from anywhere.
 */
export { lipSdpBound, eclipseFastBound, boxStates, type LipSdpOptions, type LipSdpResult } from './lipSdp.js';
export { branchedSdpBound, type BranchedSdpOptions, type BranchedSdpResult } from './branch.js';
export { certify, proveCertificate, type Certificate } from './certificate.js';
export { sdpProblem, toNetworkUnits, fromNetworkUnits, type NetworkMultipliers, type SdpProblem } from './problem.js';
export { patternBranchBound, type PatternBranchOptions, type PatternBranchResult } from './patternBranch.js';
export { globalFacets, type Facet } from './facets.js';
