// One served dist/ and one browser per test file, opened before its tests and closed after.
import { before, after } from 'node:test';
import { join } from 'node:path';
import { serveDist } from './server.mjs';
import { launch, ROOT } from './browser.mjs';

// Returns an object whose `server` and `browser` are set once the suite has started.
export function appSuite() {
  const suite = {};
  before(async () => {
    suite.server = await serveDist(join(ROOT, 'dist'));
    suite.browser = await launch();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
