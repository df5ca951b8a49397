// Chat messages to the conversation LaViDa's (LLaDA's) template lays out: system and developer messages, first,
// become the system turn; user and assistant messages the turns, the last one the user's; the one image opens
// the user turn that carries it. What the template cannot hold is a 400 naming the message.
import type { components } from '../../sdk/schema.js';
import { checkUserText, type Conversation, type TextTokenizer, type Turn } from '../engine/index.js';
import { HttpProblem, problemAt } from '../problem.js';
import { inlineImageBytes } from '../request-images.js';

type Message = components['schemas']['ChatMessage'];
type Part = components['schemas']['ChatContentPart'];

export interface ChatPrompt {
  conversation: Conversation;
  image: Uint8Array;
  imageParam: string; // where the image is, for errors about it
}

const partsOf = (msg: Message): Part[] =>
  typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : msg.content;

const invalid = (param: string, why: string): HttpProblem =>
  new HttpProblem('invalid-request', `${param}: ${why}`, { param });

function textOf(tok: TextTokenizer, msg: Message, i: number): string {
  return partsOf(msg)
    .flatMap((p, j) => {
      if (p.type !== 'text') return [];
      try {
        checkUserText(tok, p.text);
      } catch (e) {
        throw invalid(
          typeof msg.content === 'string' ? `messages[${i}].content` : `messages[${i}].content[${j}].text`,
          (e as Error).message,
        );
      }
      return [p.text];
    })
    .join('\n')
    .trim();
}

/** The image parts of the conversation, with their params. */
function imagesOf(messages: Message[]): Array<{ url: string; param: string; message: number }> {
  return messages.flatMap((msg, i) =>
    partsOf(msg).flatMap((p, j) =>
      p.type === 'image_url'
        ? [{ url: p.image_url.url, param: `messages[${i}].content[${j}].image_url.url`, message: i }]
        : [],
    ),
  );
}

export function chatPrompt(tok: TextTokenizer, messages: Message[]): ChatPrompt {
  const images = imagesOf(messages);
  if (images.length > 1) {
    throw new HttpProblem(
      'invalid-request',
      `the conversation has ${images.length} images (${images.map((im) => im.param).join(', ')}); ` +
        'the model reads one image per prompt: send one',
      { param: images[1]!.param },
    );
  }
  const [image] = images;
  if (!image)
    throw invalid(
      'messages',
      'this model answers questions about an image; add an image_url part (data: URL) to a user message',
    );
  if (messages[image.message]!.role !== 'user') throw invalid(image.param, 'images go in user messages');
  const system: string[] = [];
  const turns: Turn[] = [];
  messages.forEach((msg, i) => {
    const text = textOf(tok, msg, i);
    if (msg.role === 'system' || msg.role === 'developer') {
      if (turns.length)
        throw invalid(
          `messages[${i}]`,
          `a ${msg.role} message after the conversation started: LaViDa's template has one system turn, first`,
        );
      system.push(text);
    } else {
      turns.push({ role: msg.role, text, image: i === image.message });
    }
  });
  const last = messages.length - 1;
  if (messages[last]!.role !== 'user')
    throw invalid(`messages[${last}]`, "the last message must be the user's (the model answers it)");
  if (!turns.at(-1)!.text) throw invalid(`messages[${last}]`, 'the last user message has no text');
  let bytes: Uint8Array;
  try {
    bytes = inlineImageBytes(image.url, image.param);
  } catch (e) {
    throw problemAt(e, image.param);
  }
  return {
    conversation: { ...(system.length ? { system: system.join('\n') } : {}), turns },
    image: bytes,
    imageParam: image.param,
  };
}
