#!/usr/bin/python3
"""Independent reference implementation of the CLIP BPE tokenizer, used to compute the expected ids
that atelier.text.ClipTokenizer is tested against.

Written for Atelier from the published algorithm (openai/CLIP clip/simple_tokenizer.py and
huggingface/transformers models/clip/tokenization_clip.py), not copied from either:

* cleaning: the path transformers takes when ftfy is not installed, a BasicTokenizer with
  strip_accents=False and do_split_on_punc=False: drop NUL, U+FFFD and every category-C character
  except tab/newline/return; tab/newline/return and Zs become a space; a space on each side of CJK
  ideographs; NFC; split on whitespace; lower-case; join with one space;
* pre-tokenisation with the CLIP pattern (case-insensitive; letters in runs, digits one by one);
* UTF-8 bytes mapped to printable characters (the GPT-2/CLIP byte table);
* BPE with "</w>" on the last symbol, always merging the lowest-ranked adjacent pair.

Run with Debian's Python (needs the `regex` module):
  /usr/bin/python3 tools/text/clip_tokenizer_reference.py ../shared/data/clip-tokenizer \
      core/src/test/resources/text/clip_tokenizer_cases.json
"""

import json
import sys
import unicodedata

import regex

PIECES = regex.compile(
    r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+",
    regex.IGNORECASE,
)
SPECIAL = ("<|startoftext|>", "<|endoftext|>")
CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


def byte_table():
    """Maps each byte value to a printable character: printable Latin-1 bytes keep their own code
    point, the other 68 bytes take 256, 257, ... in byte order."""
    keep = set(range(0x21, 0x7F)) | set(range(0xA1, 0xAD)) | set(range(0xAE, 0x100))
    table = {}
    extra = 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def is_cjk(cp):
    return any(lo <= cp <= hi for lo, hi in CJK_RANGES)


def clean(text):
    out = []
    for ch in text:
        cp = ord(ch)
        cat = unicodedata.category(ch)
        if ch in "\t\n\r" or cat == "Zs":
            out.append(" ")
        elif cp == 0 or cp == 0xFFFD or cat.startswith("C"):
            continue
        elif is_cjk(cp):
            out.append(" " + ch + " ")
        else:
            out.append(ch)
    words = unicodedata.normalize("NFC", "".join(out)).split()
    return " ".join(w.lower() for w in words)


class Reference:
    def __init__(self, folder):
        with open(folder + "/vocab.json", encoding="utf-8") as f:
            self.vocab = json.load(f)
        with open(folder + "/merges.txt", encoding="utf-8") as f:
            lines = f.read().split("\n")
        self.rank = {}
        for line in lines[1:]:
            parts = line.split()
            if len(parts) == 2:
                self.rank[(parts[0], parts[1])] = len(self.rank)
        self.table = byte_table()

    def bpe(self, piece):
        if piece in SPECIAL:
            return [piece]
        symbols = list(piece[:-1]) + [piece[-1] + "</w>"]
        while len(symbols) > 1:
            best = None
            for pair in zip(symbols, symbols[1:]):
                r = self.rank.get(pair)
                if r is not None and (best is None or r < best[0]):
                    best = (r, pair)
            if best is None:
                break
            a, b = best[1]
            merged = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
                    merged.append(a + b)
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = merged
        return symbols

    def encode(self, text):
        ids = []
        for piece in PIECES.findall(clean(text)):
            mapped = "".join(self.table[b] for b in piece.encode("utf-8"))
            ids.extend(self.vocab[s] for s in self.bpe(mapped))
        return ids

    def padded(self, text, length=77, pad_id=None):
        bos, eos = self.vocab["<|startoftext|>"], self.vocab["<|endoftext|>"]
        pad = eos if pad_id is None else pad_id
        ids = [bos] + self.encode(text)[: length - 2] + [eos]
        return ids + [pad] * (length - len(ids))


CASES = [
    "a photo of a cat",
    "A Photo Of A CAT",
    "   a   photo\tof\n\na  cat   ",
    "",
    "   ",
    "hello, world! how's it going?",
    "it's, you're, we've, i'm, they'll, she'd, don't",
    "IT'S YOU'RE WE'VE",
    "rock'n'roll",
    "the year 2023 and 3.14159 and 1,000,000",
    "12345678901234567890",
    "x1y2z3",
    "(masterpiece:1.2), [ugly], {curly}, <angle>",
    "!!! ??? ... --- *** ### @@@",
    "a.b.c;d:e/f\\g|h",
    "café crème brûlée, naïve résumé, Ångström",
    "cafe\u0301 (decomposed accent)",
    "straße, ĳssel, ǅ, İstanbul, ΣΊΣΥΦΟΣ",
    "Москва, красная площадь",
    "東京タワー",
    "日本語のテキスト and english",
    "中文提示词，山水画",
    "한국어 프롬프트",
    "emoji 🐱🐶 and 👍🏽 and 🇫🇷",
    "family 👨\u200d👩\u200d👧 zero width joiner",
    "tab\u000bvertical\u000cform\u001cfile\u0085next",
    "nbsp\u00a0and\u2003em\u3000ideographic space",
    "line\u2028separator\u2029paragraph",
    "soft\u00adhyphen and zero\u200bwidth",
    "control\u0007bell and nul\u0000char",
    "replacement \ufffd char",
    "supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis" * 3,
    "a" * 200,
    "hyper-realistic, 8k uhd, octane render, trending on artstation",
    "portrait of a woman by greg rutkowski and alphonse mucha",
    "<|startoftext|>a cat<|endoftext|>",
    "a cat <|ENDOFTEXT|> dog",
    "quotes \"double\" 'single' `back` \u201ccurly\u201d \u2018single\u2019s",
    "it\u2019s curly apostrophe",
    "math ∑∫√∞ ≤≥ ±×÷",
    "arrows → ← ↑ ↓ ⇒",
    "fullwidth ＡＢＣ １２３",
    "roman numerals Ⅻ and superscript ² and fractions ½",
    "arabic digits ١٢٣ and devanagari ४५",
    "mixed CASE WoRdS",
    "trailing punctuation.",
    "__underscores__ and ~tilde~",
    "http://example.com/path?query=1&x=y",
    "email@example.com",
    "#hashtag @mention $100 50% ^caret",
    "ünïcödé ëvërÿwhërë",
    "a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p",
]

LONG = (
    "a breathtaking landscape of rolling green hills under a dramatic sky, golden hour lighting, "
    "volumetric clouds, ultra detailed, 8k resolution, cinematic composition, by albert bierstadt "
    "and thomas cole, oil on canvas, hudson river school, masterpiece, award winning, trending on "
    "artstation, sharp focus, intricate details, highly detailed foreground flowers, distant "
    "mountains with snow caps, a small river winding through the valley, birds in the sky"
)

PADDED = ["a photo of a cat", "", LONG, "!" * 100]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: clip_tokenizer_reference.py VOCAB_DIR OUT_JSON")
    ref = Reference(sys.argv[1])
    out = {
        "generator": "tools/text/clip_tokenizer_reference.py (independent implementation; see its docstring)",
        "vocabulary": "../shared/data/clip-tokenizer (CLIP BPE vocabulary, 49408 ids)",
        "cases": [{"text": t, "ids": ref.encode(t)} for t in CASES + [LONG]],
        "padded": [
            {"text": t, "padId": pad, "ids": ref.padded(t, pad_id=pad)}
            for t in PADDED
            for pad in (None, 0)
        ],
    }
    for p in out["padded"]:
        if p["padId"] is None:
            p["padId"] = ref.vocab["<|endoftext|>"]
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
