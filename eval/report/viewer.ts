// samples.html: every run's samples in one self-contained page (images inline as data URLs, inline CSS, a few
// lines of plain JavaScript): pick a run, or keep the wrong answers only.
import type { RunSamples, SampleView } from './samples.js';
import { esc } from './svg.js';

// The filters hide samples with the `hidden` attribute, so [hidden] must win over the articles' display:flex.
const STYLE = `body{font:14px system-ui,sans-serif;margin:0;color:#222}header{position:sticky;top:0;background:#fff;
padding:.8em 2em;border-bottom:1px solid #ccc;display:flex;gap:1.5em;align-items:center}main{padding:0 2em}
article{display:flex;gap:1em;border-bottom:1px solid #eee;padding:.8em 0}article.wrong h3{color:#b00}
article.right h3{color:#070}.images{display:flex;flex-direction:column;gap:.4em;flex:none}img{max-width:384px;border:1px solid #ddd}
dl{display:grid;grid-template-columns:8em 1fr;gap:.2em .8em;margin:0}dt{color:#666}dd{margin:0}
pre{white-space:pre-wrap;margin:0;font:13px ui-monospace,monospace}h3{margin:0 0 .4em;font-size:14px}.note{color:#b60}
[hidden]{display:none}`;

/** Shows the samples of the chosen run (or all), and only the wrong ones when the box is ticked. */
export const FILTER_SCRIPT = `(function () {
  var run = document.getElementById('run');
  var wrongOnly = document.getElementById('wrong-only');
  var count = document.getElementById('count');
  function apply() {
    var samples = document.querySelectorAll('article.sample');
    var shown = 0;
    for (var i = 0; i < samples.length; i++) {
      var s = samples[i];
      var visible = (run.value === 'all' || s.dataset.run === run.value) && (!wrongOnly.checked || s.dataset.wrong === 'true');
      s.hidden = !visible;
      if (visible) shown++;
    }
    var sections = document.querySelectorAll('section.run');
    for (var j = 0; j < sections.length; j++) sections[j].hidden = run.value !== 'all' && sections[j].dataset.run !== run.value;
    count.textContent = shown + ' of ' + samples.length + ' samples';
  }
  run.addEventListener('change', apply);
  wrongOnly.addEventListener('change', apply);
  apply();
})();`;

const field = (name: string, value: string | null): string =>
  value ? `<dt>${name}</dt><dd><pre>${esc(value)}</pre></dd>` : '';

function sample(s: SampleView, run: number): string {
  const images = s.images.map((src) => `<img src="${src}" alt="">`).join('');
  return (
    `<article class="sample ${s.wrong ? 'wrong' : 'right'}" data-run="${run}" data-wrong="${s.wrong}">` +
    `<div class="images">${images}</div><div><h3>${esc(s.id)}: ${esc(s.score)}</h3><dl>` +
    `${field('prompt', s.prompt)}${field('response', s.response)}${field('error', s.error)}` +
    `${field('extracted', s.extracted)}${field('answer', s.answer)}${field('score', s.score)}</dl></div></article>`
  );
}

export function renderViewer(runs: RunSamples[], generatedAt: string): string {
  const options = runs.map((r, i) => `<option value="${i}">${esc(`${r.label} (${r.benchmark})`)}</option>`).join('');
  const sections = runs.map(
    (r, i) =>
      `<section class="run" data-run="${i}"><h2>${esc(`${r.label} (${r.benchmark})`)}</h2>` +
      `${r.note ? `<p class="note">${esc(r.note)}</p>` : ''}${r.samples.map((s) => sample(s, i)).join('')}</section>`,
  );
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LaViDa-R1 evaluation samples</title>` +
    `<style>${STYLE}</style></head><body><header><strong>LaViDa-R1 evaluation samples</strong>` +
    `<label>run <select id="run"><option value="all">all runs</option>${options}</select></label>` +
    `<label><input type="checkbox" id="wrong-only"> wrong answers only</label><span id="count"></span>` +
    `<span class="note">generated ${esc(generatedAt)}</span></header><main>${sections.join('')}</main>` +
    `<script>${FILTER_SCRIPT}</script></body></html>\n`
  );
}
