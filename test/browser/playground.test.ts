// The playground at `/` in a real headless Chromium against a real server on the committed model package: an
// example image uploaded through the file input, each task run, and what the page then shows (the streamed
// canvas, the answer, the box drawn over the image, the edit stream and the edited image, the curl command, the
// API's errors, the key field). Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../../server/config.js';
import { SPEC } from '../../server/spec.js';
import { closeEngine, NO_PACKAGE, startServer, type TestServer } from '../server/harness.js';
import { artifactPath, launchChromium } from './chromium.js';

interface Example {
  name: string;
  endpoint: string;
  image: string;
  question?: string;
  answer?: string;
  description?: string;
  instruction?: string;
  box?: number[];
}
const EXAMPLES = (JSON.parse(readFileSync(join(ROOT, 'examples', 'examples.json'), 'utf8')) as { examples: Example[] })
  .examples;
const example = (name: string): Example => EXAMPLES.find((e) => e.name === name)!;

const RUN_MS = 120_000; // a whole task on a busy CPU
const MASK_GLYPH = '▒';

/** Opens the playground and waits until it has asked the server for its state and the examples. */
async function openPlayground(browser: Browser, url: string): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${url}/`);
  await page.waitForSelector('body[data-ready=true]');
  return { page, pageErrors };
}

/** Records every text the element with `id` is given from now on (window.__texts[id]). */
const recordTexts = (page: Page, id: string): Promise<void> =>
  page.evaluate((id) => {
    const w = window as unknown as { __texts: Record<string, string[]> };
    w.__texts ??= {};
    const texts: string[] = (w.__texts[id] = []);
    new MutationObserver((records) => {
      for (const r of records) for (const node of r.addedNodes) texts.push(node.textContent ?? '');
    }).observe(document.getElementById(id)!, { childList: true });
  }, id);

const recordedTexts = (page: Page, id: string): Promise<string[]> =>
  page.evaluate((id) => (window as unknown as { __texts: Record<string, string[]> }).__texts[id]!, id);

/** The request fields a task's knobs should offer: its schema's properties (through allOf and $ref) but model and transport. */
function specKnobs(schema: string): string[] {
  type Schema = { $ref?: string; properties?: object; allOf?: Schema[] };
  const schemas = SPEC.components.schemas as Record<string, Schema>;
  const properties = (s: Schema): string[] =>
    s.$ref
      ? properties(schemas[s.$ref.split('/').at(-1)!]!)
      : [...Object.keys(s.properties ?? {}), ...(s.allOf ?? []).flatMap(properties)];
  return properties(schemas[schema]!)
    .filter((p) => !['model', 'stream', 'response_format'].includes(p))
    .sort();
}

const iou = (a: number[], b: number[]): number => {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const area = (r: number[]): number => (r[2]! - r[0]!) * (r[3]! - r[1]!);
  return (w * h) / (area(a) + area(b) - w * h);
};

describe('playground at /', { skip: NO_PACKAGE }, () => {
  let srv: TestServer;
  let browser: Browser;
  before(async () => {
    srv = await startServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
    await closeEngine();
  });

  test('VQA: an uploaded example image, the answer canvas filled in pass by pass, the answer, the curl command', async () => {
    const { page, pageErrors } = await openPlayground(browser, srv.url);
    assert.match((await page.textContent('#server-status')) ?? '', /^ready · /);
    assert.equal(await page.textContent('#key-hint'), 'this server needs no key');
    await page.setInputFiles('#file-input', join(ROOT, 'examples', 'count.png'));
    await page.fill('#prompt', example('count').question!);
    await recordTexts(page, 'canvas');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('answer')!.textContent !== '', null, { timeout: RUN_MS });

    assert.equal(await page.textContent('#answer'), example('count').answer);
    const canvases = await recordedTexts(page, 'canvas');
    const partial = canvases.filter((t) => t.includes(MASK_GLYPH));
    assert.ok(
      new Set(partial).size >= 2,
      `the canvas was shown partly denoised more than once: ${JSON.stringify(canvases)}`,
    );
    assert.ok(
      canvases.at(-1)!.includes(`<answer>${example('count').answer}</answer>`) &&
        !canvases.at(-1)!.includes(MASK_GLYPH),
      'then the final text',
    );
    assert.match((await page.textContent('#progress')) ?? '', /^done in \d+ ms$/);
    const curl = (await page.textContent('#curl')) ?? '';
    assert.ok(curl.startsWith(`curl -sN ${srv.url}/v1/vqa \\\n`), curl);
    assert.ok(curl.includes('-F image=@count.png') && curl.includes('-F stream=true'), curl);
    // single-quoted for the shell: an apostrophe in the question ("the option's letter") closes, escapes, reopens
    const quoted = `'question=${example('count').question!.replaceAll("'", "'\\''")}'`;
    assert.ok(curl.includes(`--form-string ${quoted}`), curl);
    assert.ok(!curl.includes('Authorization'), 'no key header when the server needs none');
    await page.screenshot({ path: artifactPath('playground-vqa.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });

  test("knobs: every decoding field of each task's schema, and the set ones in the curl command", async () => {
    const { page } = await openPlayground(browser, srv.url);
    const knobs = (task: string): Promise<string[]> =>
      page.$$eval(`.knob-panel[data-task=${task}] [data-knob]`, (els) =>
        els.map((el) => (el as HTMLElement).dataset.knob!).sort(),
      );
    assert.deepEqual(await knobs('vqa'), specKnobs('VqaFields'));
    assert.deepEqual(await knobs('ground'), specKnobs('GroundFields'));
    assert.deepEqual(await knobs('edit'), specKnobs('EditFields'));

    await page.fill('.knob-panel[data-task=vqa] [data-knob=temperature]', '0.8');
    await page.fill('.knob-panel[data-task=vqa] [data-knob=seed]', '7');
    await page.check('.knob-panel[data-task=vqa] [data-knob=dual_cache]');
    await page.selectOption('.knob-panel[data-task=vqa] [data-knob=task]', 'chart');
    const curl = (await page.textContent('#curl')) ?? '';
    for (const field of ['task=chart', 'temperature=0.8', 'seed=7', 'dual_cache=true'])
      assert.ok(curl.includes(`-F ${field}`), `${field} in ${curl}`);
    assert.ok(!curl.includes('max_tokens'), 'an empty knob is not sent');
  });

  test('an image dropped on the drop zone or pasted is the one sent', async () => {
    const { page } = await openPlayground(browser, srv.url);
    const bytes = readFileSync(join(ROOT, 'examples', 'chart.png')).toString('base64');
    const deliver = (how: 'drop' | 'paste', name: string): Promise<void> =>
      page.evaluate(
        ({ how, name, bytes }) => {
          const data = new DataTransfer();
          data.items.add(new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], name, { type: 'image/png' }));
          const event =
            how === 'drop'
              ? new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true })
              : new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
          document.getElementById(how === 'drop' ? 'drop-zone' : 'prompt')!.dispatchEvent(event);
        },
        { how, name, bytes },
      );
    for (const [how, name] of [
      ['drop', 'dropped.png'],
      ['paste', 'pasted-chart.png'],
    ] as const) {
      const before = await page.getAttribute('#preview', 'src');
      await deliver(how, name);
      await page.waitForFunction(
        (before) => document.getElementById('preview')!.getAttribute('src') !== before,
        before,
      );
      assert.equal(
        await page.$eval('#preview', (img) =>
          (img as HTMLImageElement).decode().then(() => (img as HTMLImageElement).naturalWidth),
        ),
        128,
        how,
      );
      assert.ok(
        (await page.textContent('#curl'))!.includes(`-F image=@${name}`),
        `${how}: the curl command uploads ${name}`,
      );
    }
  });

  test('an error of the API is shown with its detail (problem+json), and the page recovers', async () => {
    const { page } = await openPlayground(browser, srv.url);
    await page.click('[data-example=count]');
    await page.waitForSelector('#preview:not([hidden])');
    await page.fill('.knob-panel[data-task=vqa] [data-knob=max_tokens]', '1000');
    await page.click('#run');
    await page.waitForSelector('#error:not([hidden])', { timeout: RUN_MS });
    const shown = (await page.textContent('#error')) ?? '';
    const direct = await fetch(`${srv.url}/v1/vqa`, {
      method: 'POST',
      body: upload('count.png', { question: example('count').question!, max_tokens: '1000' }),
    });
    const problem = (await direct.json()) as { title: string; detail: string };
    assert.equal(direct.status, 400);
    assert.equal(shown, `${problem.title}: ${problem.detail}`);
    assert.equal(await page.isEnabled('#run'), true);
    await page.screenshot({ path: artifactPath('playground-error.png'), fullPage: true });
  });

  test('grounding: an example, its box drawn over the image where the model put it', async () => {
    const { page, pageErrors } = await openPlayground(browser, srv.url);
    await page.click('[data-example=ground]');
    assert.equal(await page.isChecked('input[name=task][value=ground]'), true);
    assert.equal(await page.inputValue('#prompt'), example('ground').description);
    await page.waitForSelector('#stage-image[src^="blob:"]');
    await page.click('#run');
    await page.waitForSelector('#box:not([hidden])', { timeout: RUN_MS });

    const [image, box] = await Promise.all(['#stage-image', '#box'].map(async (s) => (await page.$(s))!.boundingBox()));
    const scale = 128 / image!.width; // ground.png is 128 x 128
    const drawn = [
      box!.x - image!.x,
      box!.y - image!.y,
      box!.x + box!.width - image!.x,
      box!.y + box!.height - image!.y,
    ].map((v) => v * scale);
    const truth = example('ground').box!;
    assert.ok(iou(drawn, truth) >= 0.5, `drawn ${drawn.map(Math.round)} vs the true box ${truth}`);
    const shown = ((await page.textContent('#bbox')) ?? '')
      .match(/-?[\d.]+/g)!
      .slice(0, 4)
      .map(Number);
    assert.ok(
      drawn.every((v, i) => Math.abs(v - shown[i]!) < 1),
      `the box is drawn where bbox_2d says: ${drawn} vs ${shown}`,
    );
    assert.match((await page.textContent('#loc-text')) ?? '', /^<LOC_BEGIN>(<LOC_\d+>){4}<LOC_END>$/);
    const curl = (await page.textContent('#curl')) ?? '';
    assert.ok(curl.startsWith(`curl -s ${srv.url}/v1/ground`) && !curl.includes('stream'), curl);
    await page.screenshot({ path: artifactPath('playground-ground.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });

  test('editing: the plan and the image previews streamed, then the edited image', async () => {
    const { page, pageErrors } = await openPlayground(browser, srv.url);
    await page.click('[data-example=edit]');
    await page.waitForSelector('#preview:not([hidden])');
    await recordTexts(page, 'progress');
    await page.click('#run');
    await page.waitForSelector('#edited:not([hidden])', { timeout: RUN_MS });

    const progress = await recordedTexts(page, 'progress');
    assert.ok(
      progress.some((t) => t.startsWith('plan pass ')),
      progress.join('\n'),
    );
    const passes = progress
      .map((t) => /^image pass (\d+) of (\d+): (\d+) VQ codes committed/.exec(t))
      .filter((m) => m !== null);
    assert.ok(
      passes.some((m) => Number(m[3]) > 0 && Number(m[1]) < Number(m[2])),
      'a preview of a partly committed canvas was shown',
    );
    for (const id of ['#edit-preview', '#edited'])
      assert.equal(
        await page.$eval(id, (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth),
        64,
        id,
      );
    const direct = await fetch(`${srv.url}/v1/edit`, {
      method: 'POST',
      body: upload('edit.png', { instruction: example('edit').instruction!, response_format: 'b64_json' }),
    });
    const { image } = (await direct.json()) as { image: { b64_json: string } };
    assert.equal(
      await page.getAttribute('#edited', 'src'),
      `data:image/png;base64,${image.b64_json}`,
      'the image the API edits',
    );
    assert.notEqual(await page.textContent('#plan'), '');
    const curl = (await page.textContent('#curl')) ?? '';
    assert.ok(
      curl.startsWith(`curl -sN ${srv.url}/v1/edit`) &&
        curl.includes('-F image=@edit.png') &&
        curl.includes('-F stream=true'),
      curl,
    );
    await page.screenshot({ path: artifactPath('playground-edit.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});

/** The multipart body the API takes: an example image and `fields`. */
function upload(image: string, fields: Record<string, string>): FormData {
  const form = new FormData();
  form.append('image', new Blob([readFileSync(join(ROOT, 'examples', image))], { type: 'image/png' }), image);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

describe('playground against a server with API keys', { skip: NO_PACKAGE }, () => {
  const KEY = 'playground-test-key';
  let srv: TestServer;
  let browser: Browser;
  before(async () => {
    srv = await startServer({ apiKeys: [KEY] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
    await closeEngine();
  });

  test('the page says a key is needed, shows the 401, and runs with the key (never shown in the curl command)', async () => {
    const { page } = await openPlayground(browser, srv.url);
    assert.equal(await page.textContent('#key-hint'), 'this server needs an API key');
    await page.click('[data-example=count]');
    await page.waitForSelector('#preview:not([hidden])');
    await page.click('#run');
    await page.waitForSelector('#error:not([hidden])', { timeout: RUN_MS });
    assert.match((await page.textContent('#error')) ?? '', /missing or invalid credentials/);

    await page.fill('#api-key', KEY);
    await page.dispatchEvent('#api-key', 'change');
    await page.waitForFunction(() => document.getElementById('key-hint')!.textContent === 'key accepted');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('answer')!.textContent !== '', null, { timeout: RUN_MS });
    assert.equal(await page.textContent('#answer'), example('count').answer);
    assert.equal(await page.isHidden('#error'), true);
    const curl = (await page.textContent('#curl')) ?? '';
    assert.ok(curl.includes('-H "Authorization: Bearer $LAVIDA_API_KEY"'), curl);
    assert.ok(!curl.includes(KEY), 'the key itself is never shown');
  });
});
