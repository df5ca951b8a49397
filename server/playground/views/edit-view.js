// Editing: the plan canvas as it is denoised, then the VQ canvas as its positions are committed (the stream
// carries VQ code ids, not pixels: each committed code is drawn as a colour of its id, masked ones dark), then
// the edited image of the result.

const $ = (id) => document.getElementById(id);

function drawGrid(tokens) {
  const canvas = $('vq-grid');
  const g = canvas.getContext('2d');
  const cols = Math.ceil(Math.sqrt(tokens.length));
  const cell = canvas.width / cols;
  tokens.forEach((id, i) => {
    g.fillStyle = id === null ? '#333' : `hsl(${(id * 47) % 360} 55% 60%)`;
    g.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell - 1, cell - 1);
  });
}

export const editView = {
  reset() {
    $('plan').textContent = '';
    $('vq-grid').getContext('2d').clearRect(0, 0, $('vq-grid').width, $('vq-grid').height);
    $('edited').hidden = true;
    $('edited').removeAttribute('src');
  },
  step(e) {
    if (e.phase !== 'image') {
      $('plan').textContent = e.text;
      return `plan pass ${e.nfe}: ${e.masked} positions still masked`;
    }
    drawGrid(e.tokens);
    return `image: ${e.committed} of ${e.tokens.length} VQ codes committed (pass ${e.nfe})`;
  },
  result(r) {
    $('plan').textContent = r.plan;
    $('edited').src = `data:${r.image.mime_type};base64,${r.image.b64_json}`;
    $('edited').hidden = false;
  },
};
