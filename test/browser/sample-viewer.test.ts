// The evaluation report's sample viewer (samples.html, eval/report/viewer.ts) in a real headless Chromium: the
// page as renderViewer writes it for two runs, its filters ("wrong answers only", the run picker) changing what is
// visible and the count it states. Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunSamples, SampleView } from '../../eval/report/samples.js';
import { renderViewer } from '../../eval/report/viewer.js';
import { solidPng } from '../eval/helpers.js';
import { artifactPath, launchChromium } from './chromium.js';

async function sample(
  id: string,
  answer: string,
  response: string,
  colour: [number, number, number],
): Promise<SampleView> {
  const image = `data:image/png;base64,${(await solidPng(48, 32, colour)).toString('base64')}`;
  const wrong = response !== answer;
  return {
    id,
    prompt: `How many bars are above ${id}?\nAnswer the question with a single word.`,
    images: [image],
    response: `I count them. <answer>${response}</answer>`,
    error: null,
    extracted: response,
    answer,
    score: wrong ? 'wrong' : 'correct',
    wrong,
  };
}

/** Two ChartQA runs of three samples: the first gets one wrong, the second two. */
const fixture = async (): Promise<RunSamples[]> => [
  {
    label: 'lavida-r1-tiny sft',
    benchmark: 'ChartQA',
    note: null,
    samples: [
      await sample('0', '14', '14', [200, 40, 40]),
      await sample('1', 'Blue', 'Blue', [40, 40, 200]),
      await sample('2', '3', '4', [40, 160, 40]),
    ],
  },
  {
    label: 'lavida-r1-tiny threshold 0.9',
    benchmark: 'ChartQA',
    note: null,
    samples: [
      await sample('0', '14', '15', [200, 40, 40]),
      await sample('1', 'Blue', 'Blue', [40, 40, 200]),
      await sample('2', '3', '5', [40, 160, 40]),
    ],
  },
];

const visibleSamples = (page: Page): Promise<string[]> =>
  page.$$eval('article.sample', (all) =>
    all
      .filter((a) => (a as HTMLElement).offsetParent !== null)
      .map((a) => `${(a as HTMLElement).dataset.run}:${a.querySelector('h3')!.textContent}`),
  );

describe('sample viewer (samples.html) in Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test('"wrong answers only" hides the right ones and the count says so; the run picker narrows to one run', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.setContent(renderViewer(await fixture(), '2026-01-01T00:00:00Z'));

    assert.equal(await page.textContent('#count'), '6 of 6 samples');
    assert.equal((await visibleSamples(page)).length, 6);
    assert.ok(
      await page.$eval('article.sample img', (img) => (img as HTMLImageElement).naturalWidth === 48),
      'the inline image renders',
    );

    await page.check('#wrong-only');
    assert.equal(await page.textContent('#count'), '3 of 6 samples');
    assert.deepEqual(await visibleSamples(page), ['0:2: wrong', '1:0: wrong', '1:2: wrong']);
    await page.screenshot({ path: artifactPath('sample-viewer-wrong-only.png'), fullPage: true });

    await page.selectOption('#run', '0');
    assert.equal(await page.textContent('#count'), '1 of 6 samples');
    assert.deepEqual(await visibleSamples(page), ['0:2: wrong']);
    assert.equal(await page.isHidden('section.run[data-run="1"]'), true, "the other run's section is hidden with it");

    await page.uncheck('#wrong-only');
    assert.equal(await page.textContent('#count'), '3 of 6 samples');
    assert.deepEqual(pageErrors, []);
  });
});
