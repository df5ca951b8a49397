// The LLaDA chat template (LLaMA-3 header style) used by LaViDa and LaViDa-O; mirrors lavida_r1/model/chat.py.

export const SYSTEM_PROMPT =
  'You are a helpful language and vision assistant. You are able to understand the visual content that the ' +
  'user provides, and assist the user with a variety of tasks using natural language.';
export const BOS = '<|startoftext|>';
export const EOT = '<|eot_id|>';
export const IMAGE = '<image>';

export const header = (role: string): string => `<|start_header_id|>${role}<|end_header_id|>\n\n`;

/** Everything up to and including the assistant header; the answer canvas follows it. */
export function renderPrompt(user: string, opts: { image?: boolean; system?: string | null } = {}): string {
  const image = opts.image ?? true;
  const system = opts.system === undefined ? SYSTEM_PROMPT : opts.system;
  let text = BOS;
  if (system !== null) text += header('system') + system + EOT;
  text += header('user') + (image ? `${IMAGE}\n` : '') + user + EOT;
  return text + header('assistant');
}

/** LaViDa-O's RefCOCO-style grounding instruction. */
export const groundingRequest = (expression: string): string =>
  `Please locate ${expression} in this image. Give bounding boxes in LOC format.`;
