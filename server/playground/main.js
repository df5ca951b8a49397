// The playground page: the task picker, the image, the prompt of each task, the knobs and the key; runs the
// request (streamed where the endpoint streams) into the task's view, keeps the curl command in step with the
// settings, and shows the server's state and its errors.
import { ApiError, getJson, postForm, postStreaming } from './api.js';
import { curlCommand } from './curl.js';
import { exampleImage, watchImageInputs } from './image-input.js';
import { knobValues, renderKnobs, showKnobs } from './knobs.js';
import { TASKS } from './tasks.js';
import { editView } from './views/edit-view.js';
import { groundView } from './views/ground-view.js';
import { vqaView } from './views/vqa-view.js';

const $ = (id) => document.getElementById(id);
const VIEWS = { vqa: vqaView, ground: groundView, edit: editView };

const state = {
  task: 'vqa',
  prompts: { vqa: '', ground: '', edit: '' },
  image: undefined, // { blob, name, url }
  keyRequired: false,
  running: undefined, // the AbortController of the request in flight
};

const apiKey = () => $('api-key').value.trim();

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

function updateCurl() {
  const spec = TASKS[state.task];
  $('curl').textContent = curlCommand({
    origin: location.origin,
    endpoint: spec.endpoint,
    imageName: state.image?.name ?? 'image.png',
    field: spec.field,
    text: $('prompt').value,
    knobs: knobValues($('knobs'), state.task),
    stream: spec.streams,
    withKey: state.keyRequired || apiKey() !== '',
  });
}

function selectTask(task) {
  state.prompts[state.task] = $('prompt').value;
  state.task = task;
  document.querySelector(`input[name=task][value=${task}]`).checked = true;
  $('prompt').value = state.prompts[task];
  $('prompt-label').textContent = TASKS[task].label;
  showKnobs($('knobs'), task);
  for (const name of Object.keys(VIEWS)) $(`${name}-view`).hidden = name !== task;
  updateCurl();
}

function setImage({ blob, name }) {
  if (state.image) URL.revokeObjectURL(state.image.url);
  state.image = { blob, name, url: URL.createObjectURL(blob) };
  for (const id of ['preview', 'stage-image', 'edit-source']) {
    $(id).src = state.image.url;
    $(id).hidden = false;
  }
  groundView.reset();
  updateCurl();
}

function setKeyHint(text, needed) {
  $('key-hint').textContent = text;
  $('key-hint').classList.toggle('needed', needed);
}

/** Whether the server wants a key, and whether the one entered works: /v1/models answers 401 without a good one. */
async function checkKey() {
  try {
    await getJson('/v1/models', apiKey());
    setKeyHint(apiKey() ? 'key accepted' : 'this server needs no key', false);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) return;
    state.keyRequired = true;
    setKeyHint(apiKey() ? 'this key was refused' : 'this server needs an API key', true);
  }
  updateCurl();
}

async function showServerStatus() {
  try {
    const ready = await (await fetch('/readyz')).json();
    $('server-status').textContent = [ready.status, ready.model, ready.provider].filter(Boolean).join(' · ');
  } catch {
    $('server-status').textContent = 'the server cannot be reached';
  }
}

async function showExamples() {
  try {
    const { examples } = await (await fetch('/playground/examples/examples.json')).json();
    for (const example of examples) {
      const task = Object.keys(TASKS).find((t) => TASKS[t].endpoint === example.endpoint);
      if (!task) continue;
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = example.name;
      button.dataset.example = example.name;
      button.addEventListener('click', async () => {
        if (state.task !== task) selectTask(task);
        $('prompt').value = example[TASKS[task].field];
        try {
          setImage(await exampleImage(example.image));
        } catch (e) {
          showError(e.message);
        }
      });
      $('examples').append(button);
    }
  } catch {
    $('examples').append('(none served)');
  }
}

function setRunning(controller) {
  state.running = controller;
  $('run').disabled = controller !== undefined;
  $('stop').disabled = controller === undefined;
}

async function run(event) {
  event.preventDefault();
  const task = state.task;
  const spec = TASKS[task];
  const view = VIEWS[task];
  $('error').hidden = true;
  if (!state.image) return showError('Choose an image first: drop, paste or pick one, or take an example.');
  const form = new FormData();
  form.append('image', state.image.blob, state.image.name);
  form.append(spec.field, $('prompt').value);
  for (const [name, value] of knobValues($('knobs'), task)) form.append(name, value);
  if (spec.streams) form.append('stream', 'true');
  view.reset();
  const controller = new AbortController();
  setRunning(controller);
  $('progress').textContent = 'waiting for the server…';
  const started = performance.now();
  try {
    const result = spec.streams
      ? await postStreaming(spec.endpoint, form, apiKey(), controller.signal, (e) => {
          $('progress').textContent = view.step(e);
        })
      : await postForm(spec.endpoint, form, apiKey(), controller.signal);
    view.result(result);
    $('progress').textContent = `done in ${Math.round(performance.now() - started)} ms`;
  } catch (e) {
    if (e.name === 'AbortError') {
      $('progress').textContent = 'stopped';
      return;
    }
    $('progress').textContent = '';
    showError(e instanceof ApiError ? e.message : `The server could not be reached: ${e.message}`);
    if (e instanceof ApiError && e.status === 401) checkKey();
  } finally {
    setRunning(undefined);
  }
}

async function copyCurl() {
  try {
    await navigator.clipboard.writeText($('curl').textContent);
  } catch {
    getSelection().selectAllChildren($('curl')); // no clipboard outside a secure context: select it for Ctrl+C
  }
}

renderKnobs($('knobs'), TASKS, updateCurl);
for (const radio of document.querySelectorAll('input[name=task]'))
  radio.addEventListener('change', () => selectTask(radio.value));
watchImageInputs({ dropZone: $('drop-zone'), fileInput: $('file-input'), onImage: setImage });
$('prompt').addEventListener('input', updateCurl);
$('api-key').addEventListener('input', updateCurl);
$('api-key').addEventListener('change', checkKey);
$('request').addEventListener('submit', run);
$('stop').addEventListener('click', () => state.running?.abort());
$('copy-curl').addEventListener('click', copyCurl);
selectTask('vqa');
await Promise.all([showServerStatus(), checkKey(), showExamples()]);
document.body.dataset.ready = 'true'; // the server's state and the examples are shown (the browser test waits for this)
