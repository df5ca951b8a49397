// Calls to the API from the page: multipart requests with the optional bearer key, answers streamed as
// server-sent events, and errors as the problem+json the server sends (its title and detail shown to the user).
import { serverSentEvents } from './sse.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail ? `${problem.title ?? 'Error'}: ${problem.detail}` : (problem.title ?? `HTTP ${status}`));
    this.status = status;
    this.problem = problem;
  }
}

const headers = (key) => (key ? { Authorization: `Bearer ${key}` } : {});

async function problemOf(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object') return body;
  } catch {
    // not JSON (a proxy's error page): its status line is all there is to show
  }
  return { title: `HTTP ${response.status} ${response.statusText}`.trim() };
}

async function send(method, path, key, init = {}) {
  const response = await fetch(path, { method, headers: headers(key), ...init });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response;
}

export const getJson = async (path, key) => (await send('GET', path, key)).json();

/** POSTs `form` and answers the JSON result. */
export const postForm = async (path, form, key, signal) =>
  (await send('POST', path, key, { body: form, signal })).json();

/** POSTs `form` with stream=true: calls `onStep` with each `step` event and answers the `result` event's data. */
export async function postStreaming(path, form, key, signal, onStep) {
  const response = await send('POST', path, key, { body: form, signal });
  let result;
  for await (const { event, data } of serverSentEvents(response)) {
    if (data === '[DONE]') break;
    const body = JSON.parse(data);
    if (event === 'step') onStep(body);
    else if (event === 'result') result = body;
    else if (event === 'error') throw new ApiError(body.status, body);
  }
  if (!result) throw new ApiError(response.status, { title: 'The stream ended without a result' });
  return result;
}
