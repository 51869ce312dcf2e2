import highsImport from 'highs';
import type { Highs } from 'highs';

type Loader = () => Promise<Highs>;

// highs ships one declaration file for its CommonJS and ES builds; under NodeNext the default
// import is typed as the module object, while at run time (ES build) it is the loader itself.
const loader = ((highsImport as unknown as { default?: Loader }).default ?? highsImport) as unknown as Loader;

let instance: Promise<Highs> | null = null;

/** The HiGHS solver (WebAssembly), loaded once per process. */
export function getHighs(): Promise<Highs> {
  instance ??= loader();
  return instance;
}

export type { Highs };
