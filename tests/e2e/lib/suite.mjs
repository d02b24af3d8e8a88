// One served dist/ and one browser per test file, opened before its tests and closed after.
import { before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serveDist } from './server.mjs';
import { launch, ROOT, takeProblems } from './browser.mjs';

// Returns an object whose `server` and `browser` are set once the suite has started.
export function appSuite() {
  const suite = {};
  before(async () => {
    suite.server = await serveDist(join(ROOT, 'dist'));
    suite.browser = await launch();
  });
  // Every page a test opened must have stayed clean (see watchPage).
  afterEach(() => assert.deepEqual(takeProblems(), []));
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
