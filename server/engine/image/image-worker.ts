// An image thread: decodes (sharp) and prepares request images, so that no pixel work runs on the event loop.
import { parentPort } from 'node:worker_threads';
import type { ImageReply, ImageRequest } from './image-protocol.js';
import { ImageError } from './mime.js';
import { prepareImage } from './prepare.js';
import { decodeImage } from './preprocess.js';

const port = parentPort!;
port.on('message', (req: ImageRequest) => {
  void (async () => {
    try {
      const image = prepareImage(await decodeImage(req.bytes, req.decode), req.config, req.edit);
      const buffers = [image.anyres.pixelValues, ...(image.vq ? [image.vq] : [])].map((a) => a.buffer as ArrayBuffer);
      port.postMessage({ id: req.id, ok: true, image } satisfies ImageReply, buffers);
    } catch (e) {
      const code = e instanceof ImageError ? e.code : null;
      port.postMessage({ id: req.id, ok: false, error: { message: (e as Error).message, code } } satisfies ImageReply);
    }
  })();
});
