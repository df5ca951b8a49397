// `--openai URL --model NAME`: any OpenAI-compatible chat endpoint as a backend (vLLM, SGLang, a hosted API, or
// our server's /v1/chat/completions), through the `openai` client of eval/llm.ts. Each task is one user message:
// the image as a data: URL image_url part, then the benchmark's prompt as a text part; greedy (temperature 0); the
// endpoint's default completion length. `choices[0].message.content` is the answer text.
import type OpenAI from 'openai';
import sharp from 'sharp';
import { extractAnswer } from '../../server/engine/text/answer.js';
import { lisaPrompt } from '../benchmarks/lisa/score.js';
import { UserError } from '../errors.js';
import type { Perform } from './call.js';
import { imageBytes } from './files.js';
import type { Task } from '../benchmarks/benchmark.js';

async function dataUrl(bytes: Uint8Array): Promise<string> {
  const { format } = await sharp(bytes).metadata();
  return `data:image/${format};base64,${Buffer.from(bytes).toString('base64')}`;
}

/** The text of a task: the benchmark's prompt; grounding asks, as VLM-R1 does, for a JSON box in <answer>. */
function promptOf(task: Task): string {
  if (task.kind === 'vqa') return task.question;
  if (task.kind === 'ground') return lisaPrompt({ problem: task.description });
  throw new UserError('ImgEdit needs an image-editing endpoint: it cannot run through --openai');
}

export function openaiBackend(client: OpenAI, model: string): Perform {
  return async (task) => {
    const text = promptOf(task);
    const url = await dataUrl(await imageBytes(task.image));
    const completion = await client.chat.completions.create({
      model,
      temperature: 0,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url } },
            { type: 'text', text },
          ],
        },
      ],
    });
    const choice = completion.choices[0];
    const content = choice?.message.content ?? '';
    // as with --server: VQA scorers read the <answer> span when the model wrote one; the Lisa scorer parses the
    // whole text (LOC tokens, else the JSON box inside <answer>)
    const response = task.kind === 'vqa' ? (extractAnswer(content) ?? content) : content;
    return { response, text: content, finish_reason: choice?.finish_reason ?? null, usage: completion.usage };
  };
}
