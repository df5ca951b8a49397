// Editing: the plan canvas as it is denoised, then the image as it forms (the stream's previews: the VQ canvas
// decoded every few passes, undecided codes showing the source), then the edited image of the result.

const $ = (id) => document.getElementById(id);

export const editView = {
  reset() {
    $('plan').textContent = '';
    for (const id of ['edit-preview', 'edited']) {
      $(id).hidden = true;
      $(id).removeAttribute('src');
    }
  },
  step(e) {
    if (e.phase !== 'image') {
      $('plan').textContent = e.text;
      return `plan pass ${e.nfe}: ${e.masked} positions still masked`;
    }
    $('edit-preview').src = e.image.url;
    $('edit-preview').hidden = false;
    return `image pass ${e.nfe} of ${e.steps}: ${e.committed} VQ codes committed`;
  },
  result(r) {
    $('plan').textContent = r.plan;
    $('edited').src = `data:${r.image.mime_type};base64,${r.image.b64_json}`;
    $('edited').hidden = false;
  },
};
