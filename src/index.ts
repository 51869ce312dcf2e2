/**
 * lipcheck's library surface: the network model, its formats, and Lipschitz estimators.
 * Everything exported here is documented where it is defined.
 */
export * from './errors.js';
export * from './random/stream.js';
export * from './random/biasLaws.js';
export * from './network/network.js';
export * from './network/sample.js';
export * from './network/evaluate.js';
export * from './network/format.js';
export * from './linalg/mat.js';
export * from './linalg/norms.js';
export * from './lipschitz/query.js';
export { readNetworkFile, parseNetwork } from './io/readNetwork.js';
