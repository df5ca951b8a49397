// The three tasks as the API has them (openapi.yaml): endpoint, the text field and its label, whether the
// endpoint streams, and its knobs (request fields besides the image and the text). A knob left empty is not sent,
// so the server's default applies; the server checks the values (its 400 says what is wrong).

const int = (name, hint) => ({ name, kind: 'int', hint });
const num = (name, hint) => ({ name, kind: 'number', hint });
const flag = (name, hint) => ({ name, kind: 'bool', hint });
const choice = (name, options, hint) => ({ name, kind: 'choice', options, hint });

export const TASKS = {
  vqa: {
    endpoint: '/v1/vqa',
    field: 'question',
    label: 'Question',
    streams: true,
    knobs: [
      choice('task', ['math', 'chart', 'mcq'], 'task family: picks the answer canvas it was trained at'),
      int('max_tokens', 'answer canvas length (a multiple of block_length)'),
      int('block_length', 'semi-autoregressive block size'),
      int('steps', 'denoising passes over all blocks'),
      num('threshold', 'Fast-dLLM: unmask every token above this confidence (0–1)'),
      flag('dual_cache', 'Fast-dLLM dual cache'),
      choice('schedule', ['uniform', 'shift'], 'how many tokens each pass unmasks'),
      num('shift', 'shift of the schedule'),
      num('temperature', '0 is greedy; above 0 samples'),
      int('seed', 'reproduces a sampled answer'),
    ],
  },
  ground: {
    endpoint: '/v1/ground',
    field: 'description',
    label: 'What to locate',
    streams: false,
    knobs: [
      choice('steps', ['1', '2', '4'], 'passes to decode the four LOC tokens'),
      flag('raw_prompt', 'send the description as the whole prompt'),
    ],
  },
  edit: {
    endpoint: '/v1/edit',
    field: 'instruction',
    label: 'Instruction',
    streams: true,
    knobs: [
      int('steps', 'image denoising passes'),
      int('plan_steps', 'passes for the edit plan'),
      num('shift', 'shift of the image schedule'),
      choice('order', ['stratified', 'confidence'], 'which VQ positions are committed first'),
      int('seed', 'seed of the stratified order'),
      num('guidance_scale', 'classifier-free guidance by the instruction (0: off)'),
      num('image_guidance_scale', 'guidance by the source image (0: off)'),
      int('preview_every', 'a preview image every this many image passes'),
    ],
  },
};
