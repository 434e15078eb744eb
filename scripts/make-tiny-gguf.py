#!/usr/bin/env python3
"""Writes a tiny llama-architecture GGUF model with random weights, for the LLM
tests: llama-server loads it, speaks the real OpenAI protocol and applies the
real JSON-schema grammar to its output; the text itself is noise.

The tokenizer is the smallest correct one llama.cpp accepts: a SentencePiece
("llama") vocabulary of the three control tokens and the 256 byte tokens
<0x00>..<0xFF>, so any UTF-8 text tokenizes by byte fallback and any byte can be
generated (the grammar sampler needs every character of JSON reachable).
No chat template is stored: llama-server then uses ChatML.

Usage: PYTHONPATH=<llama.cpp>/gguf-py python3 make-tiny-gguf.py OUT.gguf
(scripts/setup-llama.sh runs it). Deterministic: a fixed seed.
"""
import sys

import numpy as np
import gguf

N_EMBD, N_LAYER, N_HEAD, N_FF, N_CTX = 64, 2, 4, 128, 8192


def vocab():
    tokens, scores, types = [], [], []
    for text, kind in (("<unk>", gguf.TokenType.UNKNOWN), ("<s>", gguf.TokenType.CONTROL),
                       ("</s>", gguf.TokenType.CONTROL)):
        tokens.append(text.encode())
        scores.append(0.0)
        types.append(kind)
    for b in range(256):
        tokens.append(("<0x%02X>" % b).encode())
        scores.append(0.0)
        types.append(gguf.TokenType.BYTE)
    return tokens, scores, types


def main(out):
    rng = np.random.default_rng(20261207)
    tokens, scores, types = vocab()
    n_vocab = len(tokens)
    w = gguf.GGUFWriter(out, "llama")
    w.add_name("facetag-tiny-random")
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_block_count(N_LAYER)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD)
    w.add_rope_dimension_count(N_EMBD // N_HEAD)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)

    def t(name, *shape):  # numpy shape: ggml's ne reversed
        w.add_tensor(name, (rng.standard_normal(shape) * 0.02).astype(np.float32))

    def ones(name):
        w.add_tensor(name, np.ones(N_EMBD, dtype=np.float32))

    t("token_embd.weight", n_vocab, N_EMBD)
    ones("output_norm.weight")
    t("output.weight", n_vocab, N_EMBD)
    for i in range(N_LAYER):
        ones(f"blk.{i}.attn_norm.weight")
        t(f"blk.{i}.attn_q.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.attn_k.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.attn_v.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.attn_output.weight", N_EMBD, N_EMBD)
        ones(f"blk.{i}.ffn_norm.weight")
        t(f"blk.{i}.ffn_gate.weight", N_FF, N_EMBD)
        t(f"blk.{i}.ffn_up.weight", N_FF, N_EMBD)
        t(f"blk.{i}.ffn_down.weight", N_EMBD, N_FF)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"make-tiny-gguf: {out}: llama, {n_vocab} tokens, {N_LAYER} layers of {N_EMBD}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make-tiny-gguf.py OUT.gguf")
    main(sys.argv[1])
