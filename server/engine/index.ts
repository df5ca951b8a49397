// The engine's public surface: all the HTTP layer (server/ outside server/engine/) uses of it, the engine itself
// and the request planning it owns (prompt layout and length, decoding knobs over the package's defaults), with
// the errors the HTTP layer maps to problems. test/server/imports.test.ts keeps server/ to this module.
export { BATCHING_MODES, batchingOptions, isBatchingMode, type BatchingMode } from './batching-mode.js';
export { Engine, type EngineOptions } from './engine.js';
export { ImageError } from './image/mime.js';
export type { PreparedImage } from './image/prepare.js';
export type { Model } from './model.js';
export type { PoolEvent, PoolHealth } from './ort/pool.js';
export { WorkerCrashedError, WorkerUnavailableError } from './ort/worker-errors.js';
export type { StepEvent } from './pipelines.js';
export { planEdit } from './planning/edit-plan.js';
export { planGround } from './planning/ground-plan.js';
export { fitContext, type RequestPlan } from './planning/prompt-layout.js';
export { RequestError } from './planning/request-error.js';
export { planText, textSettings } from './planning/text-plan.js';
export { extractAnswer } from './text/answer.js';
export type { Conversation, Turn } from './text/chat-template.js';
export { checkUserText, PromptError } from './text/prompts.js';
export type { TextTokenizer } from './text/tokenizer.js';
