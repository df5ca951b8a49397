import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ModelConfig } from '../../server/engine/package/model-config.js';
import { decodeText, extractAnswer } from '../../server/engine/text/answer.js';
import { renderPrompt } from '../../server/engine/text/chat-template.js';
import {
  editAnswerIds,
  editDraft,
  groundingAnswerIds,
  PromptError,
  promptIds,
  textAnswerIds,
} from '../../server/engine/text/prompts.js';
import { TextTokenizer } from '../../server/engine/text/tokenizer.js';
import { reference, SKIP_REASON, TOKENIZER_JSON } from './reference.js';

describe('tokenizer, chat template and layouts = lavida_r1 (lavida-r1-tiny tokenizer.json)', {
  skip: SKIP_REASON,
}, () => {
  const tok = TextTokenizer.fromFile(TOKENIZER_JSON);
  const t = () => reference().cases.tokenizer;
  const config = (): ModelConfig => t().config;

  test('the layout check accepts the tiny config', () => tok.checkLayout(config()));

  test('encode: ids equal for every string; decode round-trips', () => {
    const { texts, ids, decoded } = t();
    assert.ok(texts.length >= 300, `only ${texts.length} strings`);
    texts.forEach((text: string, i: number) => {
      assert.deepEqual(tok.encode(text), ids[i], JSON.stringify(text));
      assert.equal(tok.decode(ids[i]), decoded[i], JSON.stringify(text));
      assert.equal(decoded[i], text, 'byte-level BPE decodes to the input');
    });
  });

  test('encode_with_slots on rendered prompts', () => {
    const { texts, slots, slot_ids } = t();
    texts.forEach((text: string, i: number) => {
      const [image, edit, gen] = slots[i];
      assert.deepEqual(
        tok.encodeWithSlots(renderPrompt(text), config(), { image, edit, gen }),
        slot_ids[i],
        JSON.stringify(text),
      );
    });
  });

  test('prompt_ids (system on/off, edit on/off) and answer canvases', () => {
    const c = config();
    const { texts, slots, prompt_ids, text_answers, edit_answers } = t();
    texts.forEach((text: string, i: number) => {
      const variants = [false, true].flatMap((system) =>
        [false, true].map((edit) => {
          try {
            return promptIds(tok, c, text, slots[i][0], system, edit);
          } catch (e) {
            assert.ok(e instanceof PromptError, String(e));
            return null; // the Python reference refuses the same texts
          }
        }),
      );
      assert.deepEqual(variants, prompt_ids[i]);
      assert.deepEqual(textAnswerIds(tok, c, text, tok.encode(text).length + 1 + (i % 3)), text_answers[i]);
      const planLength = tok.encode(text).length + (i % 4);
      assert.deepEqual(editAnswerIds(tok, c, text, planLength), edit_answers[i]);
      // the edit draft (inference.py) is the same layout with the plan masked
      assert.deepEqual(editDraft(c, planLength).slice(planLength), edit_answers[i].slice(planLength));
      assert.ok(
        editDraft(c, planLength)
          .slice(0, planLength)
          .every((t) => t === c.mask_token_id),
      );
    });
  });

  test('grounding answers of the world boxes', () => {
    const { boxes, grounding_answers } = t();
    assert.ok(boxes.length > 0);
    boxes.forEach((b: { box: [number, number, number, number]; size: [number, number] }, i: number) =>
      assert.deepEqual(groundingAnswerIds(config(), b.box, b.size[0], b.size[1]), grounding_answers[i]),
    );
  });

  test('decode of random ids (special and LOC tokens kept), decode_text and extract_answer', () => {
    const c = config();
    const { random_ids, random_decoded, decode_text, extract_answer, texts } = t();
    const stops = new Set([c.eos_token_id, c.eot_token_id]);
    random_ids.forEach((ids: number[], i: number) => {
      assert.equal(tok.decode(ids), random_decoded[i]);
      assert.equal(decodeText(tok, ids, stops), decode_text[i]);
    });
    [...texts, ...random_decoded].forEach((s: string, i: number) =>
      assert.equal(extractAnswer(s), extract_answer[i], JSON.stringify(s)),
    );
  });
});

test('too long answers are refused', { skip: SKIP_REASON }, () => {
  const tok = TextTokenizer.fromFile(TOKENIZER_JSON);
  assert.throws(() => textAnswerIds(tok, reference().cases.tokenizer.config, 'a long answer here', 2), /does not fit/);
});

test('added words below the first special id are plain text; specials, LOC and slot markers are control', () => {
  // The committed tokenizer with one BPE entry turned into an added ordinary word (as a tokenizer that keeps
  // whole labels as one token has), at the same id.
  const json = JSON.parse(readFileSync(TOKENIZER_JSON, 'utf8'));
  const [word, id] = Object.entries(json.model.vocab as Record<string, number>).find(([, i]) => i === 100)!;
  delete json.model.vocab[word];
  json.model.vocab.OCT = id;
  json.added_tokens.push({
    id,
    content: 'OCT',
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: false,
  });
  const tok = new TextTokenizer(json);
  assert.deepEqual(tok.encode('OCT'), [id]);
  assert.deepEqual(tok.controlTokensIn('sales in OCT'), []);
  assert.deepEqual(tok.controlTokensIn('<LOC_5> then <|eot_id|> and <|edit_slots|>'), [
    '<LOC_5>',
    '<|eot_id|>',
    '<|edit_slots|>',
  ]);
});
