// A thin typed client for the LaViDa-R1 server: openapi-fetch over the types generated from openapi.yaml
// (`npm run gen:sdk`), plus the two things openapi-fetch leaves to the caller: images as data URLs and
// server-sent events.
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type Schemas = components['schemas'];
/** Typed for JSON bodies; streams are read with `parseAs: 'stream'` and readEvents, PNGs with `parseAs: 'blob'`. */
type Json = 'application/json' | 'application/problem+json';
export type LavidaClient = Client<paths, Json>;

export interface LavidaClientOptions extends ClientOptions {
  baseUrl: string; // e.g. http://localhost:8080
  apiKey?: string; // sent as `Authorization: Bearer <key>`
}

export function createLavidaClient({ apiKey, headers, ...options }: LavidaClientOptions): LavidaClient {
  const auth: Record<string, string> = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
  return createClient<paths, Json>({
    ...options,
    headers: { ...auth, ...(headers as Record<string, string> | undefined) },
  });
}

/** `data:<mime>;base64,…` of image bytes (the server sniffs the real type from the bytes). */
export const imageDataUrl = (bytes: Uint8Array, mime = 'image/png'): string =>
  `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

export interface ServerEvent {
  event: string; // 'message' when unnamed
  data: string; // '[DONE]' ends a stream
}

/** The events of a `text/event-stream` body, in order. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (data.length) yield { event, data: data.join('\n') };
        event = 'message';
        data = [];
      } else if (line.startsWith('event:')) {
        event = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }
    }
  }
}
