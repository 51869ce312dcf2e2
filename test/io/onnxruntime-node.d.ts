/**
 * onnxruntime-node 1.17.0 names dist/index.d.ts as its types but does not ship that file; its API is
 * onnxruntime-common's (InferenceSession, Tensor), whose declarations it re-exports at run time.
 */
declare module 'onnxruntime-node' {
  export * from 'onnxruntime-common';
}
