// Issue 6 in the browser: dark mode, links, embedding and export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { appSuite } from './lib/suite.mjs';
import { openApp, SCREENSHOTS } from './lib/browser.mjs';
import { contrast, luminance, parseRgb } from './lib/colour.mjs';

const suite = appSuite();

// The most frequent colour of a canvas, as [r, g, b].
async function dominantColour(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
  });
}

// Loads the first sample and goes to the first step, where most lanes are still empty.
async function loadFirstStep(page) {
  await page.click('.gallery .sample');
  await page.waitForSelector('#entry-count');
  await page.keyboard.press('Home');
  await page.waitForFunction(() => document.querySelector('#step-index')?.textContent.startsWith('Step 1 '));
}

// The page's main text and background colours, and the chart's dominant colour.
async function themeColours(page) {
  const [fg, bg] = await page.$eval('body', (body) => {
    const style = getComputedStyle(body);
    return [style.color, style.backgroundColor];
  });
  return { fg: parseRgb(fg), bg: parseRgb(bg), chart: await dominantColour(page, '#timeline') };
}

test('dark mode follows the system, both themes are legible, and the toggle is remembered', async () => {
  const seen = {};
  for (const scheme of ['light', 'dark']) {
    const { page } = await openApp(suite.browser, suite.server.url, { colorScheme: scheme });
    await loadFirstStep(page);
    assert.equal(await page.getAttribute('html', 'data-theme'), scheme);
    seen[scheme] = await themeColours(page);
    await page.screenshot({ path: join(SCREENSHOTS, `theme-${scheme}.png`), fullPage: true });
    // WCAG AA for body text.
    const ratio = contrast(seen[scheme].fg, seen[scheme].bg);
    assert.ok(ratio >= 4.5, `${scheme}: main text contrast ${ratio.toFixed(2)}`);
    console.log(`THEME ${scheme}: text ${seen[scheme].fg} on ${seen[scheme].bg}, contrast ${ratio.toFixed(2)}:1, chart ${seen[scheme].chart}`);
    await page.close();
  }
  assert.notDeepEqual(seen.light.bg, seen.dark.bg);
  assert.notDeepEqual(seen.light.fg, seen.dark.fg);
  // The canvas follows the page: empty lanes are light on light, dark on dark.
  assert.ok(luminance(seen.light.chart) > 0.7, `light chart ${seen.light.chart}`);
  assert.ok(luminance(seen.dark.chart) < 0.1, `dark chart ${seen.dark.chart}`);

  // The toggle overrides the system and survives a reload.
  const { page } = await openApp(suite.browser, suite.server.url, { colorScheme: 'light' });
  await page.click('#theme-toggle');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  assert.equal(await page.getAttribute('#theme-toggle', 'aria-pressed'), 'true');
  await page.reload();
  await page.waitForSelector('#file-input', { state: 'attached' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await loadFirstStep(page);
  assert.ok(luminance(await dominantColour(page, '#timeline')) < 0.1);
});
