// Where the image comes from: dropped on the drop zone, pasted anywhere on the page, chosen with the file input,
// or one of the shipped examples. Each hands `onImage` a { blob, name } (the name is what curl uploads).

const firstImage = (files) => [...(files ?? [])].find((f) => f.type.startsWith('image/'));

export function watchImageInputs({ dropZone, fileInput, onImage }) {
  fileInput.addEventListener('change', () => {
    const file = firstImage(fileInput.files);
    if (file) onImage({ blob: file, name: file.name });
  });
  dropZone.addEventListener('dragover', (e) => {
    e.preventDefault();
    dropZone.classList.add('dragging');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
  dropZone.addEventListener('drop', (e) => {
    e.preventDefault();
    dropZone.classList.remove('dragging');
    const file = firstImage(e.dataTransfer?.files);
    if (file) onImage({ blob: file, name: file.name });
  });
  document.addEventListener('paste', (e) => {
    const file = firstImage(e.clipboardData?.files);
    if (!file) return;
    e.preventDefault();
    onImage({ blob: file, name: file.name || `pasted.${file.type.split('/')[1]}` });
  });
}

/** Fetches a shipped example image (served under /playground/examples/). */
export async function exampleImage(file) {
  const response = await fetch(`/playground/examples/${encodeURIComponent(file)}`);
  if (!response.ok) throw new Error(`example ${file} could not be loaded (HTTP ${response.status})`);
  return { blob: await response.blob(), name: file };
}
