"""A small CLIP byte-level BPE tokenizer and the tiny test vocabulary (our own code).

What it is: the tokenizer the reference pipeline uses to turn plain prompts into ids (the published
CLIP algorithm: clean -> pre-tokenise -> UTF-8 bytes -> byte-to-unicode -> BPE with `</w>` on the
last symbol, merges applied in rank order -> ids, BOS + 75 + EOS + padding to 77), and the builder
of the tiny vocabulary shipped with the tiny models (256 byte symbols, the same with `</w>`, merges
that make a list of common prompt words single tokens, then `<|startoftext|>`, `<|endoftext|>` as
the last two ids, as in CLIP's own vocabulary).

Scope: plain prompts as used by the golden cases (ASCII words, spaces, punctuation, digits); no
ftfy text fixing and no HTML unescaping. Imported by make_tiny_models.py and reference_pipeline.py;
running it directly checks the real vocabulary when ../shared/data/clip-tokenizer is present:
    /usr/bin/python3 tools/clip_bpe.py
"""

import json
from pathlib import Path

import regex

PATTERN = regex.compile(
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
    regex.IGNORECASE,
)
BOS, EOS = "<|startoftext|>", "<|endoftext|>"
MERGES_HEADER = "#version: 0.2"

# Words that become single tokens in the tiny vocabulary (prompts of the tests and golden cases).
TINY_WORDS = (
    "a an the of in on at by with and or to for from is it this that photo painting picture image "
    "portrait landscape drawing sketch render cat cats dog castle lighthouse house tower city town "
    "street forest tree trees mountain mountains river lake sea ocean beach sky cloud clouds sun "
    "sunset sunrise moon night day winter summer autumn spring snow rain fog storm light dark red "
    "blue green yellow orange purple pink black white gold silver old new big small tiny cute "
    "beautiful ugly blurry low high quality detailed sharp style oil watercolor digital art artist "
    "fantasy astronaut riding horse mars space ship boat car robot dragon flower flowers garden "
    "woman man girl boy face eyes hair wallpaper cinematic lighting epic golden hour"
).split()


def bytes_to_unicode():
    """The byte -> printable-unicode table of GPT-2/CLIP byte-level BPE, in vocabulary id order.

    Printable bytes map to themselves and come first; the other 68 bytes map to U+0100 onwards.
    """
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1))
    printable += list(range(ord("\u00ae"), ord("\u00ff") + 1))
    table = {b: chr(b) for b in printable}
    others = [b for b in range(256) if b not in table]
    table.update({b: chr(256 + n) for n, b in enumerate(others)})
    return table


BYTE_TABLE = bytes_to_unicode()


def clean(text):
    """Whitespace collapse, strip, lower-case (the fallback used when ftfy is not installed)."""
    return " ".join(text.split()).lower()


class ClipBpe:
    """CLIP BPE over a vocab.json / merges.txt pair; pad id read by the caller from the tokenizer files."""

    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.bos, self.eos = vocab[BOS], vocab[EOS]
        self.cache = {}

    @staticmethod
    def load(folder):
        folder = Path(folder)
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        lines = (folder / "merges.txt").read_text(encoding="utf-8").split("\n")
        merges = [tuple(line.split()) for line in lines[1:] if line.strip()]
        return ClipBpe(vocab, merges)

    def bpe(self, piece):
        """The BPE symbols of one pre-tokenised piece (already mapped through the byte table)."""
        if piece in self.cache:
            return self.cache[piece]
        word = list(piece[:-1]) + [piece[-1] + "</w>"]
        while len(word) > 1:
            pairs = [(self.ranks.get((a, b), None), i) for i, (a, b) in enumerate(zip(word, word[1:]))]
            ranked = [(r, i) for r, i in pairs if r is not None]
            if not ranked:
                break
            best = min(ranked)[0]
            a, b = next((word[i], word[i + 1]) for r, i in ranked if r == best)
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == a and word[i + 1] == b:
                    merged.append(a + b)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        self.cache[piece] = word
        return word

    def tokens(self, text):
        out = []
        for piece in PATTERN.findall(clean(text)):
            mapped = "".join(BYTE_TABLE[b] for b in piece.encode("utf-8"))
            out.extend(self.bpe(mapped))
        return out

    def encode(self, text):
        """Ids of the text without BOS/EOS."""
        return [self.vocab[t] for t in self.tokens(text)]

    def encode_padded(self, text, pad_id, length=77):
        """BOS + at most length-2 ids + EOS, padded with pad_id to `length` (HF max_length padding)."""
        ids = [self.bos] + self.encode(text)[: length - 2] + [self.eos]
        return ids + [pad_id] * (length - len(ids))


def build_tiny_vocab(words=TINY_WORDS):
    """(vocab dict in id order, merges list): bytes, bytes+</w>, merges for `words`, BOS, EOS."""
    symbols = list(BYTE_TABLE.values())
    vocab = {s: i for i, s in enumerate(symbols)}
    for s in symbols:
        vocab[s + "</w>"] = len(vocab)
    merges = []
    bpe = ClipBpe({**vocab, BOS: -2, EOS: -1}, merges)
    for w in words:
        # Merge the first two remaining symbols until the word is one token. A new merge has the
        # lowest priority, so words made single tokens earlier keep their tokenisation.
        while True:
            bpe.cache.clear()
            bpe.ranks = {pair: i for i, pair in enumerate(merges)}
            syms = bpe.bpe(w)
            if len(syms) == 1:
                break
            merges.append((syms[0], syms[1]))
            if syms[0] + syms[1] not in vocab:
                vocab[syms[0] + syms[1]] = len(vocab)
    vocab[BOS] = len(vocab)
    vocab[EOS] = len(vocab)
    return vocab, merges


def write_vocab(folder, vocab, merges):
    """Writes vocab.json (one line, id order) and merges.txt (header + one merge a line)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    lines = [MERGES_HEADER] + [f"{a} {b}" for a, b in merges]
    (folder / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "clip-tokenizer"
    if shared.is_dir():
        real = ClipBpe.load(shared)
        ids = real.encode_padded("a photo of a cat", real.eos)[:7]
        print("real vocabulary:", ids)
        assert ids == [49406, 320, 1125, 539, 320, 2368, 49407], ids
    v, m = build_tiny_vocab()
    tiny = ClipBpe(v, m)
    print(f"tiny vocabulary: {len(v)} ids, {len(m)} merges;", tiny.encode_padded("a photo of a cat", v[EOS])[:7])
