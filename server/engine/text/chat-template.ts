// The LLaDA chat template (LLaMA-3 header style) used by LaViDa and LaViDa-O; mirrors lavida_r1/model/chat.py.
// `renderConversation` (system turn, earlier turns) is the server's generalisation of `render_prompt`: with one
// user turn it renders exactly what `renderPrompt` does.

export const SYSTEM_PROMPT =
  'You are a helpful language and vision assistant. You are able to understand the visual content that the ' +
  'user provides, and assist the user with a variety of tasks using natural language.';
export const BOS = '<|startoftext|>';
export const EOT = '<|eot_id|>';
export const IMAGE = '<image>';

export const header = (role: string): string => `<|start_header_id|>${role}<|end_header_id|>\n\n`;

/** One turn of a conversation; `image`: the image placeholder opens this turn (`<image>\n`, LLaVA style). */
export interface Turn {
  role: 'user' | 'assistant';
  text: string;
  image?: boolean;
}

/** `system` undefined: the default system prompt; null: no system turn. The last turn is the user's. */
export interface Conversation {
  system?: string | null;
  turns: Turn[];
}

/** Every turn closed by `<|eot_id|>`, then the assistant header; the answer canvas follows it. */
export function renderConversation(conv: Conversation): string {
  const system = conv.system === undefined ? SYSTEM_PROMPT : conv.system;
  let text = BOS;
  if (system !== null) text += header('system') + system + EOT;
  for (const t of conv.turns) text += header(t.role) + (t.image ? `${IMAGE}\n` : '') + t.text + EOT;
  return text + header('assistant');
}

/** Everything up to and including the assistant header for one user turn (render_prompt). */
export function renderPrompt(user: string, opts: { image?: boolean; system?: string | null } = {}): string {
  return renderConversation({ system: opts.system, turns: [{ role: 'user', text: user, image: opts.image ?? true }] });
}

/** LaViDa-O's RefCOCO-style grounding instruction. */
export const groundingRequest = (expression: string): string =>
  `Please locate ${expression} in this image. Give bounding boxes in LOC format.`;
