// Server-sent events: named JSON events, then `data: [DONE]` (the OpenAI wire convention).
import type { Response } from 'express';

export class EventStream {
  constructor(private readonly res: Response) {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no', // proxies must not buffer the stream
    });
    res.flushHeaders();
  }

  // the client may be gone (the job is being cancelled; its last steps are dropped)
  private get closed(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  /** One event; `name` undefined sends an unnamed ("message") event, as OpenAI chunks are. */
  send(name: string | undefined, data: unknown): void {
    if (this.closed) return;
    this.res.write(`${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  }

  done(): void {
    if (this.closed) return;
    this.res.end('data: [DONE]\n\n');
  }
}
