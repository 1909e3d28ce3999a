#!/usr/bin/python3
"""Makes the tiny random CLIP test model in Optimum's export layout, and reference values.

Writes core/src/test/resources/quality/tiny-clip/:
  model.onnx      inputs input_ids, pixel_values, attention_mask (int64 ids, as Optimum exports
                  CLIP for zero-shot-image-classification); outputs logits_per_image,
                  logits_per_text, text_embeds, image_embeds (L2-normalised, as CLIPModel returns)
  vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json
                  a byte-level vocabulary with no merges (every character is a token)
  aesthetic.onnx  the LAION predictor's MLP shape (D -> 1024 -> 128 -> 64 -> 16 -> 1), random
and core/src/test/resources/quality/clip_reference.json: for the committed test image
(reference_image.png), the pixel values after transformers' CLIPImageProcessor steps done with
Pillow (resize short side to 224 with Image.BICUBIC, int(224*long/short) for the long side,
centre crop with floor division, /255, OpenAI mean/std), the embeddings, CLIP score and
aesthetic rating from this PyTorch model.

Random weights: these numbers test plumbing and preprocessing, not CLIP's real judgement.
Run with Debian's /usr/bin/python3 (torch 1.13, onnx 1.12, Pillow 9): /usr/bin/python3 tools/quality/tiny_clip.py
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "core/src/test/resources/quality")
MODEL = os.path.join(OUT, "tiny-clip")
WIDTH = 16
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def bytes_to_unicode():
    # GPT-2/CLIP byte-to-unicode table (printable bytes map to themselves), as (byte, char) pairs.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return list(zip(bs, [chr(c) for c in cs]))


def write_tokenizer():
    chars = [c for _, c in bytes_to_unicode()]
    vocab = {}
    for c in chars:
        vocab[c] = len(vocab)
    for c in chars:
        vocab[c + "</w>"] = len(vocab)
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    with open(os.path.join(MODEL, "vocab.json"), "w") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(MODEL, "merges.txt"), "w") as f:
        f.write("#version: 0.2\n")
    with open(os.path.join(MODEL, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 77, "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
                   "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}, f)
    with open(os.path.join(MODEL, "special_tokens_map.json"), "w") as f:
        json.dump({"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
                   "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}, f)
    return vocab


class TinyClip(torch.nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.tok = torch.nn.Embedding(vocab_size, 32)
        self.text_proj = torch.nn.Linear(32, WIDTH, bias=False)
        self.patch = torch.nn.Conv2d(3, 32, 32, stride=32)
        self.vis_proj = torch.nn.Linear(32, WIDTH, bias=False)

    def forward(self, input_ids, pixel_values, attention_mask):
        m = attention_mask.unsqueeze(-1).float()
        t = (self.tok(input_ids) * m).sum(1) / m.sum(1).clamp(min=1)
        te = self.text_proj(t)
        te = te / te.norm(dim=-1, keepdim=True)
        v = torch.tanh(self.patch(pixel_values)).mean((2, 3))
        ie = self.vis_proj(v)
        ie = ie / ie.norm(dim=-1, keepdim=True)
        logits_per_text = 100.0 * te @ ie.t()
        return logits_per_text.t(), logits_per_text, te, ie


def aesthetic_mlp(width):
    # improved-aesthetic-predictor's MLP; dropout is inactive in eval mode.
    return torch.nn.Sequential(
        torch.nn.Linear(width, 1024), torch.nn.Dropout(0.2), torch.nn.Linear(1024, 128), torch.nn.Dropout(0.2),
        torch.nn.Linear(128, 64), torch.nn.Dropout(0.1), torch.nn.Linear(64, 16), torch.nn.Linear(16, 1))


def reference_image():
    w, h = 300, 200
    y, x = np.mgrid[0:h, 0:w]
    r = 128 + 100 * np.sin(x / 17.0) * np.cos(y / 23.0)
    g = (x * 255 // (w - 1))
    b = 255 - (y * 255 // (h - 1))
    img = np.stack([r, g, b], -1).clip(0, 255).astype(np.uint8)
    img[60:140, 100:180] = [250, 30, 40]
    return Image.fromarray(img, "RGB")


def preprocess(img):
    w, h = img.size
    short, long_ = (w, h) if w <= h else (h, w)
    new_long = int(224 * long_ / short)
    size = (224, new_long) if w <= h else (new_long, 224)
    arr = np.asarray(img.resize(size, resample=Image.BICUBIC, reducing_gap=None)).astype(np.float32)
    top = (arr.shape[0] - 224) // 2
    left = (arr.shape[1] - 224) // 2
    arr = arr[top:top + 224, left:left + 224]
    arr = (arr * np.float32(1 / 255) - MEAN) / STD
    return arr.transpose(2, 0, 1)[None].astype(np.float32)


def tokens(text, vocab, length=77):
    # The byte-level vocabulary: CLIP's cleaning here is lower-casing and whitespace collapsing.
    import re
    text = re.sub(r"\s+", " ", text).strip().lower()
    pieces = re.findall(r"[\w]+|[^\s\w]+", text)
    chars = dict(bytes_to_unicode())
    ids = []
    for p in pieces:
        enc = [chars[b] for b in p.encode("utf-8")]
        enc[-1] = enc[-1] + "</w>"
        ids += [vocab[c] for c in enc]
    ids = [vocab["<|startoftext|>"]] + ids[:length - 2] + [vocab["<|endoftext|>"]]
    mask = [1] * len(ids) + [0] * (length - len(ids))
    ids = ids + [vocab["<|endoftext|>"]] * (length - len(ids))
    return np.array([ids], dtype=np.int64), np.array([mask], dtype=np.int64)


def main():
    os.makedirs(MODEL, exist_ok=True)
    torch.manual_seed(0)
    vocab = write_tokenizer()
    clip = TinyClip(len(vocab)).eval()
    ids = torch.zeros(1, 77, dtype=torch.int64)
    mask = torch.ones(1, 77, dtype=torch.int64)
    pix = torch.zeros(1, 3, 224, 224)
    torch.onnx.export(
        clip, (ids, pix, mask), os.path.join(MODEL, "model.onnx"), opset_version=14,
        input_names=["input_ids", "pixel_values", "attention_mask"],
        output_names=["logits_per_image", "logits_per_text", "text_embeds", "image_embeds"],
        dynamic_axes={"input_ids": {0: "text_batch_size", 1: "sequence_length"},
                      "attention_mask": {0: "text_batch_size", 1: "sequence_length"},
                      "pixel_values": {0: "image_batch_size", 1: "num_channels", 2: "height", 3: "width"},
                      "logits_per_image": {0: "image_batch_size", 1: "text_batch_size"},
                      "logits_per_text": {0: "text_batch_size", 1: "image_batch_size"},
                      "text_embeds": {0: "text_batch_size"}, "image_embeds": {0: "image_batch_size"}})
    mlp = aesthetic_mlp(WIDTH).eval()
    torch.onnx.export(mlp, torch.zeros(1, WIDTH), os.path.join(MODEL, "aesthetic.onnx"), opset_version=14,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})

    img = reference_image()
    img.save(os.path.join(OUT, "reference_image.png"))
    pixels = preprocess(img)
    prompt = "A red square, on waves!"
    tid, tmask = tokens(prompt, vocab)
    with torch.no_grad():
        _, _, te, ie = clip(torch.from_numpy(tid), torch.from_numpy(pixels), torch.from_numpy(tmask))
        rating = mlp(ie).item()
    cos = float((te * ie).sum())
    flat = pixels.reshape(-1)
    ref = {
        "source": "tools/quality/tiny_clip.py (torch %s, Pillow %s)" % (torch.__version__, Image.__version__),
        "prompt": prompt,
        "input_ids": tid[0].tolist(),
        "attention_mask": tmask[0].tolist(),
        "pixel_values_sum": float(flat.astype(np.float64).sum()),
        "pixel_values_every_97th": [float(v) for v in flat[::97]],
        "image_embeds": ie[0].tolist(),
        "text_embeds": te[0].tolist(),
        "clip_score": 100 * max(cos, 0.0),
        "aesthetic": rating,
    }
    with open(os.path.join(OUT, "clip_reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
    print("wrote", MODEL, "and clip_reference.json; clip score %.4f, aesthetic %.4f" % (ref["clip_score"], rating))


if __name__ == "__main__":
    sys.exit(main())
