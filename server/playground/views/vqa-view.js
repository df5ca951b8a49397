// VQA: the answer canvas as each denoising pass leaves it (masked positions as ▒), then the answer and usage.

const $ = (id) => document.getElementById(id);

export const vqaView = {
  reset() {
    $('canvas').textContent = '';
    $('answer').textContent = '';
    $('vqa-usage').textContent = '';
  },
  step(e) {
    $('canvas').textContent = e.text;
    return `pass ${e.nfe}: ${e.masked} positions still masked`;
  },
  result(r) {
    $('canvas').textContent = r.text;
    $('answer').textContent = r.answer ?? '(no <answer> in the text: the canvas ran out first)';
    $('vqa-usage').textContent =
      `${r.usage.nfe} passes, ${r.usage.completion_tokens} completion tokens, ${Math.round(r.timings.total_ms)} ms`;
  },
};
