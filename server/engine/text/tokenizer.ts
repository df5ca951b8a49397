// The text tokenizer: an HF tokenizer.json (byte-level BPE with added tokens) through @huggingface/tokenizers,
// plus slot expansion as in lavida_r1/tokenizer.py: placeholders are inserted by id, never tokenized from text.
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import type { ModelConfig } from '../package/model-config.js';
import { IMAGE } from './chat-template.js';

export const EDIT_SLOTS = '<|edit_slots|>';
export const GEN_SLOTS = '<|gen_slots|>';

export interface SlotCounts {
  image?: number;
  edit?: number;
  gen?: number;
}

interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

/** Strings of the form `<...>` in text, which is the form of this project's added tokens. */
const BRACKETED = /<[^<>]*>/g;

export class TextTokenizer {
  private readonly inner: Tokenizer;
  private readonly control: Set<string>; // `<...>` strings that tokenize to a control token or are expanded to slots
  private readonly otherControl: string[]; // added tokens of another form (none in this project's tokenizers)

  constructor(tokenizerJson: object) {
    this.inner = new Tokenizer(tokenizerJson, {});
    const added = (tokenizerJson as { added_tokens?: AddedToken[] }).added_tokens ?? [];
    // Added tokens below the first special id are ordinary words (e.g. whole labels a tokenizer keeps as one token).
    const firstSpecial = Math.min(...added.filter((t) => t.special).map((t) => t.id));
    const all = [...added.filter((t) => t.id >= firstSpecial).map((t) => t.content), EDIT_SLOTS, GEN_SLOTS];
    const bracketed = (s: string): boolean => /^<[^<>]*>$/.test(s);
    this.control = new Set(all.filter(bracketed));
    this.otherControl = all.filter((s) => !bracketed(s));
  }

  static fromFile(path: string): TextTokenizer {
    return new TextTokenizer(JSON.parse(readFileSync(path, 'utf8')) as object);
  }

  /** Ids of `text` without BOS/EOS added (the chat template carries its own special tokens). */
  encode(text: string): number[] {
    return this.inner.encode(text, { add_special_tokens: false }).ids;
  }

  /** Like `tokenizers`' decode with skip_special_tokens=false: special tokens stay as their strings. */
  decode(ids: ArrayLike<number>): string {
    if (ids.length === 0) return ''; // the JS library throws on an empty list, Python returns ''
    return this.inner.decode(Array.from(ids), { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /** The control-token strings in `text` other than `allowed`: added tokens from the first special id on
   *  (special, LOC, reserved) and the slot markers, which the tokenizer would turn into control ids. */
  controlTokensIn(text: string, allowed: readonly string[] = []): string[] {
    const found = Array.from(text.matchAll(BRACKETED), (m) => m[0]).filter((s) => this.control.has(s));
    return [...found, ...this.otherControl.filter((s) => text.includes(s))].filter((s) => !allowed.includes(s));
  }

  tokenToId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }

  /** Fails unless every control/LOC token the config names has the expected id (Python's check_layout). */
  checkLayout(c: ModelConfig): void {
    const expected: Array<[string, number]> = [
      ['<|startoftext|>', c.bos_token_id],
      ['<|endoftext|>', c.eos_token_id],
      ['<|eot_id|>', c.eot_token_id],
      ['<|start_header_id|>', c.start_header_id],
      ['<|end_header_id|>', c.end_header_id],
      ['<|mdm_mask|>', c.mask_token_id],
      [IMAGE, c.image_token_id],
      ['<|reserved_token_5|>', c.gen_token_id],
      ['<|reserved_token_6|>', c.edit_token_id],
      ['<box_p>', c.box_start_id],
      ['</box_p>', c.box_end_id],
      ['<LOC_BEGIN>', c.loc_begin_id],
      ['<LOC_END>', c.loc_end_id],
      ['<LOC_0>', c.loc_token_offset],
      [`<LOC_${c.num_loc_bins - 1}>`, c.loc_token_offset + c.num_loc_bins - 1],
    ];
    const wrong = expected
      .filter(([s, id]) => this.tokenToId(s) !== id)
      .map(([s, id]) => `${s}: ${this.tokenToId(s)} (expected ${id})`);
    if (wrong.length) throw new Error(`tokenizer ids do not match the model config: ${wrong.join('; ')}`);
  }

  /** Ids of `text` with `<image>`, EDIT_SLOTS and GEN_SLOTS replaced by that many slot ids. */
  encodeWithSlots(text: string, c: ModelConfig, counts: SlotCounts = {}): number[] {
    const slots = new Map<string, number[]>([
      [IMAGE, new Array<number>(counts.image ?? 0).fill(c.image_token_id)],
      [EDIT_SLOTS, new Array<number>(counts.edit ?? 0).fill(c.edit_token_id)],
      [GEN_SLOTS, new Array<number>(counts.gen ?? 0).fill(c.gen_token_id)],
    ]);
    const ids: number[] = [];
    for (const [piece, marker] of splitMarkers(text, [...slots.keys()])) {
      if (piece) ids.push(...this.encode(piece));
      if (marker !== null) ids.push(...slots.get(marker)!);
    }
    return ids;
  }
}

/** (text before a marker, the marker) pairs, the last with marker null; the earliest marker wins, and on
 *  equal positions the lexicographically smaller one (Python's min over (index, marker) tuples). */
export function splitMarkers(text: string, markers: string[]): Array<[string, string | null]> {
  const out: Array<[string, string | null]> = [];
  for (;;) {
    let at = -1;
    let marker: string | null = null;
    for (const m of markers) {
      const i = text.indexOf(m);
      if (i >= 0 && (at < 0 || i < at || (i === at && m < marker!))) [at, marker] = [i, m];
    }
    if (marker === null) {
      out.push([text, null]);
      return out;
    }
    out.push([text.slice(0, at), marker]);
    text = text.slice(at + marker.length);
  }
}
