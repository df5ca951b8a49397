// MathVista's LLM answer extractor, from `score --judge-url URL [--judge-model NAME] [--judge-key-env VAR]`.
import { stringFlag, type Flags } from '../../flags.js';
import { chatText, openaiClient } from '../../llm.js';

const EXTRACTOR_TIMEOUT_MS = 60_000;

/**
 * The extractor as a prompt → reply function: the judge model (default gpt-4o-2024-11-20) greedy, up to 256
 * tokens; the key from --judge-key-env VAR, else OPENAI_API_KEY when set, else none.
 */
export function mathVistaExtractor(url: string, flags: Flags): (prompt: string) => Promise<string> {
  const keyEnv = stringFlag(flags, 'judge-key-env') ?? (process.env.OPENAI_API_KEY ? 'OPENAI_API_KEY' : undefined);
  const client = openaiClient({ url, apiKeyEnv: keyEnv }, { timeoutMs: EXTRACTOR_TIMEOUT_MS });
  const model = stringFlag(flags, 'judge-model') ?? 'gpt-4o-2024-11-20';
  return (prompt) =>
    chatText(client, { model, temperature: 0, max_tokens: 256, messages: [{ role: 'user', content: prompt }] });
}
