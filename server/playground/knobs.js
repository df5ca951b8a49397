// The knob inputs: one panel per task (so each task keeps its own values), and the values that are set, as the
// form fields a request sends.

function input(knob) {
  if (knob.kind === 'choice') {
    const select = document.createElement('select');
    select.add(new Option('(default)', ''));
    for (const option of knob.options) select.add(new Option(option, option));
    return select;
  }
  const el = document.createElement('input');
  if (knob.kind === 'bool') el.type = 'checkbox';
  else {
    el.type = 'number';
    el.step = knob.kind === 'int' ? '1' : 'any';
    el.placeholder = 'default';
  }
  return el;
}

/** Builds each task's panel inside `container`; `onChange` runs whenever a knob changes. */
export function renderKnobs(container, tasks, onChange) {
  for (const [task, spec] of Object.entries(tasks)) {
    const panel = document.createElement('div');
    panel.className = 'knob-panel';
    panel.dataset.task = task;
    for (const knob of spec.knobs) {
      const label = document.createElement('label');
      label.title = knob.hint;
      const el = input(knob);
      el.name = knob.name;
      el.dataset.knob = knob.name;
      el.addEventListener('input', onChange);
      label.append(el, ` ${knob.name}`);
      panel.append(label);
    }
    container.append(panel);
  }
}

/** Shows the panel of `task` only. */
export function showKnobs(container, task) {
  for (const panel of container.querySelectorAll('.knob-panel')) panel.hidden = panel.dataset.task !== task;
}

/** The set knobs of `task` as [name, value] string pairs (a ticked box is "true"; an unticked or empty one is left out). */
export function knobValues(container, task) {
  const panel = container.querySelector(`.knob-panel[data-task="${task}"]`);
  const values = [];
  for (const el of panel.querySelectorAll('[data-knob]')) {
    if (el.type === 'checkbox') {
      if (el.checked) values.push([el.name, 'true']);
    } else if (el.value !== '') values.push([el.name, el.value]);
  }
  return values;
}
