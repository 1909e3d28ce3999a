#!/usr/bin/python3
"""Runs AUTOMATIC1111/stable-diffusion-webui's own prompt code on a table of prompts and writes the
results Atelier's prompt language is tested against (core/src/test/resources/text/a1111_*.json).

What runs is A1111's code, unmodified, from a checkout you point at (nothing of it is committed
here): modules/prompt_parser.py (parse_prompt_attention, get_multicond_prompt_list),
modules/sd_hijack_clip.py (FrozenCLIPEmbedderWithCustomWordsBase.tokenize_line and process_tokens)
and modules/sd_emphasis.py (EmphasisOriginal). The values were produced from commit
91ecc750bebcd25c5ad970a7bddc8f7603a136d7 (June 2024, v1.10 line; prompt_parser.py is the same
since November 2023). Only what those files import from the rest of the webui is replaced by small
stand-ins below: lark (used only by prompt scheduling, not called), modules.devices, modules.sd_hijack
and modules.shared.opts with A1111's defaults (emphasis "Original", comma_padding_backtrack 20).
Token ids come from tools/text/clip_tokenizer_reference.py on the real CLIP vocabulary.

Usage (Debian's Python with torch and regex):
  /usr/bin/python3 tools/text/a1111_reference.py A1111_CHECKOUT ../shared/data/clip-tokenizer \
      core/src/test/resources/text
"""

import json
import os
import sys
import types

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_tokenizer_reference import Reference  # noqa: E402

COMMIT = "91ecc750bebcd25c5ad970a7bddc8f7603a136d7"


def install_stand_ins(checkout):
    """Makes `modules` importable from the checkout with only the pieces our calls need."""
    lark = types.ModuleType("lark")

    class Lark:
        def __init__(self, *args, **kwargs):
            pass

    lark.Lark = Lark
    lark.Visitor = object
    lark.Transformer = object
    lark.exceptions = types.SimpleNamespace(LarkError=Exception)
    sys.modules["lark"] = lark

    package = types.ModuleType("modules")
    package.__path__ = [os.path.join(checkout, "modules")]
    sys.modules["modules"] = package

    devices = types.ModuleType("modules.devices")
    devices.device = torch.device("cpu")
    devices.torch_npu_set_device = lambda: None
    sd_hijack = types.ModuleType("modules.sd_hijack")
    sd_hijack.StableDiffusionModelHijack = object
    shared = types.ModuleType("modules.shared")
    shared.opts = types.SimpleNamespace(
        emphasis="Original",
        comma_padding_backtrack=20,
        CLIP_stop_at_last_layers=1,
        use_old_emphasis_implementation=False,
        textual_inversion_add_hashes_to_infotext=False,
    )
    for name, mod in (("devices", devices), ("sd_hijack", sd_hijack), ("shared", shared)):
        sys.modules["modules." + name] = mod
        setattr(package, name, mod)


ATTENTION_PROMPTS = [
    "normal text",
    "an (important) word",
    "(unbalanced",
    "\\(literal\\]",
    "(unnecessary)(parens)",
    "a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).",
    "((word))",
    "(((word)))",
    "[word]",
    "[[word]]",
    "(word:1.3)",
    "(a, b:0.5)",
    "( word : 1.5 )",
    "(word: -0.5)",
    "(word:+.5)",
    "(word:2.)",
    "(word:0)",
    "a ) b ] c",
    "unbalanced] (x",
    "[unclosed square",
    "((two unclosed",
    "[a (b) c]",
    "((a) [b])",
    "[(x)]",
    "((x:1.2):1.5)",
    "[x:1.2]",
    "a:b:c",
    "(x:1.2:3)",
    "(:1.2)",
    "()",
    "[]",
    "",
    "\\\\ backslash",
    "lone \\ backslash \\q",
    "esc \\(x:1.2\\)",
    "text BREAK more",
    "BREAK",
    "a BREAK BREAK b",
    "BREAKfast BREAK_x xBREAK break",
    "(a BREAK b)",
    "(a BREAK b:1.5)",
    "a\nBREAK\nb",
    "multiple (a:1.1) (b:1.1) equal",
    "(x)(x:1.1)",
    "emoji (\U0001F431:1.3)",
    "(\u9577\u3044:1.2) kanji",
    "arabic digit weight (x:\u0661.\u0665)",
    "a | b (c|d) [e|f]",
    "masterpiece, best quality, (detailed face:1.2), [[blurry]], (red hair:0.8)",
]

ERROR_PROMPTS = ["(a:1.2.3)", "(a:.)", "(a:+.)"]

AND_PROMPTS = [
    "a castle",
    "a castle :1.2 AND fog",
    "a castle:1.2 AND fog :0.5 AND people: -1",
    "cat AND dog AND",
    "AND",
    "a castle:2",
    "photo 1:1",
    "(word:1.3)",
    "a (word:1.3",
    "ANDROID and AND_x",
    "x :.5 AND y:2.",
    "multi\nline:1.5",
]


def words(n, start=0):
    vocab = ["cat", "dog", "red", "blue", "tree", "house", "sky", "sun", "moon", "star"]
    return " ".join(vocab[(start + i) % len(vocab)] for i in range(n))


CHUNK_PROMPTS = [
    "a photo of a cat",
    "",
    "BREAK",
    "a cat BREAK a dog",
    "BREAK a dog",
    "a cat BREAK",
    "a BREAK BREAK b",
    "a (red:1.5) castle, [fog], ((sky)) BREAK (second:0.7) chunk",
    words(75),
    words(76),
    words(150),
    words(151),
    words(200),
    words(60) + ", " + words(30),
    words(54) + ", " + words(30),
    words(55) + ", " + words(30),
    words(74) + ", " + words(10),
    words(73) + ", x, " + words(10),
    words(40) + ", " + words(20) + ", " + words(40),
    ", ".join(words(3, i) for i in range(40)),
    "(" + words(80) + ":1.2), " + words(10),
    "a cat <|endoftext|> a dog",
    "masterpiece, best quality, ultra detailed, 8k, a breathtaking landscape of rolling green hills "
    "under a dramatic sky, golden hour, volumetric clouds, cinematic composition, by albert bierstadt "
    "and thomas cole, oil on canvas, hudson river school, award winning, trending on artstation, "
    "sharp focus, intricate details, highly detailed foreground flowers, distant mountains with snow "
    "caps, a small river winding through the valley, birds in the sky, (warm light:1.2), [haze]",
]

EMPHASIS_PROMPTS = [
    "a (red:1.5) castle, [fog], ((sky))",
    "(word:-0.5) and (other:2.5)",
    "(everything weighted:1.3)",
]


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: a1111_reference.py A1111_CHECKOUT VOCAB_DIR OUT_DIR")
    checkout, vocab_dir, out_dir = sys.argv[1:]
    install_stand_ins(checkout)
    from modules import prompt_parser, sd_hijack_clip

    ref = Reference(vocab_dir)
    source = {
        "generator": "tools/text/a1111_reference.py",
        "a1111": "AUTOMATIC1111/stable-diffusion-webui @ " + COMMIT,
    }

    attention = []
    for p in ATTENTION_PROMPTS:
        attention.append({"prompt": p, "segments": prompt_parser.parse_prompt_attention(p)})
    for p in ERROR_PROMPTS:
        try:
            prompt_parser.parse_prompt_attention(p)
            raise SystemExit("expected A1111 to fail on " + p)
        except ValueError as e:
            attention.append({"prompt": p, "error": str(e)})
    write(out_dir, "a1111_attention.json", dict(source, cases=attention))

    ands = []
    for p in AND_PROMPTS:
        indexes, flat, _ = prompt_parser.get_multicond_prompt_list([p])
        ands.append({"prompt": p, "parts": [[flat[i], w] for i, w in indexes[0]]})
    write(out_dir, "a1111_and.json", dict(source, cases=ands))

    class Embedder(sd_hijack_clip.FrozenCLIPEmbedderWithCustomWordsBase):
        """A1111's base class with the reference tokenizer and a fixed pseudo-random 'encoder'."""

        def __init__(self, pad_id, dim=8):
            torch.nn.Module.__init__(self)
            self.chunk_length = 75
            self.hijack = types.SimpleNamespace(
                embedding_db=types.SimpleNamespace(
                    find_embedding_at_position=lambda tokens, pos: (None, None)
                ),
                fixes=None,
                extra_generation_params={},
            )
            self.comma_token = ref.vocab[",</w>"]
            self.id_start = ref.vocab["<|startoftext|>"]
            self.id_end = ref.vocab["<|endoftext|>"]
            self.id_pad = pad_id
            self.dim = dim
            self.seen = []

        def tokenize(self, texts):
            return [ref.encode(t) for t in texts]

        def encode_with_transformers(self, tokens):
            self.seen.append(tokens.tolist())
            rng = np.random.default_rng(len(self.seen))
            z = rng.standard_normal((tokens.shape[0], tokens.shape[1], self.dim)) + 0.25
            self.z_before = torch.from_numpy(z.astype(np.float32))
            return self.z_before.clone()

    chunks = []
    for pad_name, pad_id in (("eos", ref.vocab["<|endoftext|>"]), ("zero", 0)):
        for p in CHUNK_PROMPTS:
            emb = Embedder(pad_id)
            found, _ = emb.tokenize_line(p)
            out = []
            for c in found:
                emb.process_tokens([c.tokens], [c.multipliers])
                out.append({"ids": emb.seen[-1][0], "weights": c.multipliers})
            chunks.append({"prompt": p, "pad": pad_name, "chunks": out})
    write(out_dir, "a1111_chunks.json", dict(source, cases=chunks))

    emphasis = []
    for p in EMPHASIS_PROMPTS:
        emb = Embedder(ref.vocab["<|endoftext|>"])
        (c,), _ = emb.tokenize_line(p)
        z = emb.process_tokens([c.tokens], [c.multipliers])
        emphasis.append(
            {
                "prompt": p,
                "dim": emb.dim,
                "weights": c.multipliers,
                "before": emb.z_before[0].flatten().tolist(),
                "after": z[0].flatten().tolist(),
            }
        )
    write(out_dir, "a1111_emphasis.json", dict(source, cases=emphasis))


def write(out_dir, name, data):
    with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
