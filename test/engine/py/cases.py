"""Writes every parity case the TypeScript engine tests compare against: `cases.py TOKENIZER_JSON OUT_DIR`
writes OUT_DIR/cases.json and the input images beside it (one Python start for all engine tests)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import image_cases  # noqa: E402
import sampling_cases  # noqa: E402
import tokenizer_cases  # noqa: E402

tokenizer_path, out_dir = sys.argv[1], sys.argv[2]
cases = {
    "tokenizer": tokenizer_cases.build(tokenizer_path, 6),
    "image": image_cases.build(out_dir),
    "sampling": sampling_cases.build(),
}
tmp = Path(out_dir) / "cases.json.tmp"
tmp.write_text(json.dumps(cases))
tmp.replace(Path(out_dir) / "cases.json")
