// A MathVista sample as the loader reads it and the prompt builder, extractor and scorer take it.
import type { ImageSource } from '../../types.js';

export interface MathVistaMeta {
  category: string | null;
  context: string | null;
  grade: string | null;
  language: string | null;
  source: string | null;
  split: string | null;
  task: string | null;
  skills: string[];
  img_height: number | null;
  img_width: number | null;
}

export interface MathVistaRecord {
  pid: string;
  question: string;
  /** Relative path as released, e.g. images/1.jpg */
  imagePath: string;
  image: ImageSource | null;
  choices: string[] | null;
  unit: string | null;
  /** 1 or 2 for float answers, else null. */
  precision: number | null;
  answer: string;
  questionType: string;
  answerType: string;
  metadata: MathVistaMeta;
  /** The official hint-first query (released, or rebuilt by the official rules when absent). */
  query: string;
}
