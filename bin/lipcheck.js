#!/usr/bin/env node
// The lipcheck command line; the code lives in dist/ (built by `npm install` / `npm run build`).
// A reader that closes the pipe early (`lipcheck … | head -1`) is not an error.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
import('../dist/cli/main.js')
  .then((m) => m.main())
  .catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
      process.stderr.write('lipcheck: dist/ is missing; run `npm run build` first\n');
      process.exitCode = 2;
      return;
    }
    throw err;
  });
