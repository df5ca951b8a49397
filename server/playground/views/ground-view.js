// Grounding: the image with the box drawn over it (placed by the normalized coordinates), the box in pixels and
// the LOC tokens the model wrote.

const $ = (id) => document.getElementById(id);
const percent = (v) => `${(v * 100).toFixed(3)}%`;

export const groundView = {
  reset() {
    $('box').hidden = true;
    $('bbox').textContent = '';
    $('loc-text').textContent = '';
  },
  result(r) {
    const [found] = r.boxes;
    if (!found) return;
    const [x1, y1, x2, y2] = found.normalized;
    Object.assign($('box').style, {
      left: percent(x1),
      top: percent(y1),
      width: percent(x2 - x1),
      height: percent(y2 - y1),
    });
    $('box').hidden = false;
    $('bbox').textContent =
      `[${found.bbox_2d.map((v) => Math.round(v * 10) / 10).join(', ')}] on ${r.image.width}x${r.image.height}`;
    $('loc-text').textContent = found.loc_text;
  },
};
