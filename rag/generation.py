"""Text generation: one seam (`stream`, `yes_no`, `copy`), and the llama-cpp-python
implementation (the only module importing llama_cpp). One model is shared; a lock serialises its
use across threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from .copying import WordRuns


class Generator(Protocol):
    """Streams the reply to chat `messages` piece by piece. With `continues_replies`, a last
    message from the assistant is a reply begun for the model, and the reply continues it.
    """

    model_id: str
    continues_replies: bool

    def stream(self, messages: list[dict], max_tokens: int, temperature: float,
               grammar: str | None = None, repeat_penalty: float = 1.0) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...

    def yes_no(self, messages: list[dict], then: str = "") -> float:
        """Log-odds of a yes; `then`, a reply begun for a copy that may follow, may be read with it."""
        ...

    def copy(self, messages: list[dict], sentence: str, max_words: int) -> str:
        """The greedy reply to `messages` that is a run of `sentence`'s words, cut after one
        word more than `max_words` (so a caller sees that the copy ran longer).
        """
        ...


class ContextSlots:
    """Which of `n` model contexts serves a conversation: the one that last read its system
    prompt, else the least recently used. Each context keeps the KV cache of its last prompt, so
    the answer check's and the writer's system prompts both stay read when a question uses both.
    """

    def __init__(self, n: int):
        self.keys: list[str | None] = [None] * max(1, n)
        self.last_used = [0] * len(self.keys)
        self.clock = 0

    def pick(self, key: str) -> int:
        self.clock += 1
        slot = self.keys.index(key) if key in self.keys else self.last_used.index(min(self.last_used))
        self.keys[slot], self.last_used[slot] = key, self.clock
        return slot


class LlamaGenerator:
    """A GGUF chat model run by llama.cpp, using the model's own chat template.

    llama.cpp keeps the KV cache of the previous prompt, so a static system prompt at the start
    of every conversation is read once and reused (`reuse_prefix=False` turns that off, for the
    naive benchmark baseline). `contexts` instances of the model, each with its own KV cache, keep
    that many system prompts read at once (the memory-mapped weights are shared; each instance
    adds ~0.75 GB of buffers: docs/benchmarks.md).
    """

    continues_replies = True

    def __init__(self, model: Path | str, model_id: str, n_ctx: int = 4096, threads: int = 2,
                 reuse_prefix: bool = True, contexts: int = 2):
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("llama-cpp-python is not installed: run scripts/setup.sh") from exc
        common = dict(n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False)
        if isinstance(model, Path):
            self.llms = [Llama(model_path=str(model), **common) for _ in range(max(1, contexts))]
        else:  # 'repo:file.gguf' on a machine with hub access
            repo, filename = model.split(":", 1)
            self.llms = [Llama.from_pretrained(repo_id=repo, filename=filename, **common)
                         for _ in range(max(1, contexts))]
        self.llm = self.llms[0]  # tokenizer and metadata
        self._slots = ContextSlots(len(self.llms))
        self.model_id = model_id
        self.n_ctx = n_ctx
        self.reuse_prefix = reuse_prefix
        self._lock = threading.Lock()
        self._formatter = None
        self._yes_no_ids = None
        self._pieces: TokenPieces | None = None
        self._last: dict[int, tuple[list[int], object]] = {}  # per context: the last prompt read, its next logits

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(self, messages: list[dict], max_tokens: int, temperature: float,
               grammar: str | None = None, repeat_penalty: float = 1.0) -> Iterator[str]:
        from llama_cpp import LlamaGrammar

        with self._lock:
            llm = self._context_for(messages)
            compiled = LlamaGrammar.from_string(grammar, verbose=False) if grammar else None
            if messages and messages[-1]["role"] == "assistant":
                yield from self._continued(llm, messages, max_tokens, temperature, compiled, repeat_penalty)
                return
            for part in llm.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=temperature, stream=True,
                grammar=compiled, seed=0, repeat_penalty=repeat_penalty,
            ):
                piece = part["choices"][0]["delta"].get("content")
                if piece:
                    yield piece

    def _continued(self, llm, messages: list[dict], max_tokens: int, temperature: float, grammar,
                   repeat_penalty: float) -> Iterator[str]:
        """The assistant's last message continued: the chat template up to the reply's start, then
        the message's text, as plain tokens (a prompt the earlier turns share is read once).
        """
        tokens = self._prompt_tokens(llm, messages[:-1], begun=messages[-1]["content"])
        for part in llm.create_completion(prompt=tokens, max_tokens=max_tokens, temperature=temperature, stream=True,
                                          grammar=grammar, seed=0, repeat_penalty=repeat_penalty):
            piece = part["choices"][0]["text"]
            if piece:
                yield piece

    def yes_no(self, messages: list[dict], then: str = "") -> float:
        """Log-odds that the reply to `messages` starts with yes rather than no (English or Arabic
        words, any case): one forward pass over the prompt, no sampling. Reuses the cached prefix.
        `then`, a reply begun for a copy that may follow, is read in the same pass.
        """
        import numpy as np

        with self._lock:
            _, yes, no = self._chat_template()
            llm = self._context_for(messages)
            prompt = self._prompt_tokens(llm, messages)
            begun = self._prompt_tokens(llm, messages, then) if then else prompt
            at = len(prompt) if begun[: len(prompt)] == prompt else None  # else the junction re-tokenised
            logits = read_prompt(llm, begun if at else prompt, self.n_ctx, self._last, at)[0].astype(np.float64)
        probs = np.exp(logits - logits.max())
        return float(np.log(probs[yes].sum() + 1e-12) - np.log(probs[no].sum() + 1e-12))

    def copy(self, messages: list[dict], sentence: str, max_words: int) -> str:
        """The greedy reply (continuing a begun one) that is a run of `sentence`'s words, as llama.cpp's
        grammar sampler picks it; after "العدد:" the first token brings its space (experiments.md).
        """
        begun = messages[-1]["content"] if messages and messages[-1]["role"] == "assistant" else ""
        runs = WordRuns(sentence, " " if begun and not begun[-1].isspace() else "")
        with self._lock:
            llm = self._context_for(messages)
            prompt = self._prompt_tokens(llm, messages[:-1] if begun else messages, begun)
            logits = read_prompt(llm, prompt, self.n_ctx, self._last)[-1]
            self._pieces = self._pieces or TokenPieces(llm)
            written = copy_tokens(llm, self._pieces, runs, prompt, logits, max_words, self.n_ctx)
        return written.decode("utf-8", "ignore").strip()

    def _prompt_tokens(self, llm, messages: list[dict], begun: str = "") -> list[int]:
        """`messages` in the model's chat template, up to the start of its reply (and `begun`,
        the reply's first words), as tokens: what the check reads and a begun reply continues.
        """
        formatter, _, _ = self._chat_template()
        return llm.tokenize((formatter(messages=messages).prompt + begun).encode("utf-8"), add_bos=False, special=True)

    def _context_for(self, messages: list[dict]):
        """The context whose cache holds this conversation's system prompt (emptied when prefix
        reuse is off).
        """
        llm = self.llms[self._slots.pick(messages[0]["content"] if messages else "")]
        if not self.reuse_prefix:
            llm.reset()
        return llm

    def _chat_template(self):
        if self._formatter is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            template = self.llm.metadata.get("tokenizer.chat_template")
            if not template:
                raise RuntimeError(f"{self.model_id} has no chat template; the answer check needs a chat model")
            eos = self.llm.detokenize([self.llm.token_eos()]).decode("utf-8", "ignore")
            bos = self.llm.detokenize([self.llm.token_bos()]).decode("utf-8", "ignore") if self.llm.token_bos() >= 0 else ""
            self._formatter = Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos)

            def first_tokens(words: list[str]) -> list[int]:
                return sorted({self.llm.tokenize(w.encode("utf-8"), add_bos=False, special=False)[0]
                               for word in words for w in (word, " " + word)})

            self._yes_no_ids = (first_tokens(["yes", "Yes", "YES", "نعم"]), first_tokens(["no", "No", "NO", "لا"]))
        return (self._formatter, *self._yes_no_ids)

    def warm(self, system_prompt: str) -> None:
        """Read the static system prompt once so later questions reuse its KV cache."""
        for _ in self.stream([{"role": "system", "content": system_prompt}, {"role": "user", "content": ""}],
                             max_tokens=1, temperature=0.0):
            pass


DRAFT_TOKENS = 3  # the prompt's tokens after a copied one, checked in the same pass (2 and 6 were slower)


def copy_tokens(llm, pieces: TokenPieces, runs: WordRuns, prompt: list[int], logits, max_words: int,
                n_ctx: int) -> bytes:
    """The greedy copy after `prompt` (already read, with `logits` after it). Each chosen token
    is read together with the tokens that follow it in the prompt, where the sentence is, and
    those the greedy choice takes anyway are kept: the choices of one token at a time in fewer
    passes (prompt lookup decoding; a pass over four tokens costs little more than over one).
    """
    written = b""
    while runs.words_in(written) <= max_words and llm.n_tokens < n_ctx - 1:
        token = pieces.next_copy_token(logits, runs, written)
        if token is None or token in pieces.ends:
            break
        written += pieces.piece[token]
        draft = pieces.draft(prompt, token, runs, written, min(DRAFT_TOKENS, n_ctx - llm.n_tokens - 2))
        start = llm.n_tokens
        rows = _read_rows(llm, [token, *draft], list(range(len(draft))))  # the logits after each
        logits, kept = rows[0], 1
        for guess, row in zip(draft, rows[1:]):
            if runs.words_in(written) > max_words or pieces.next_copy_token(logits, runs, written) != guess:
                break
            written += pieces.piece[guess]
            logits, kept = row, kept + 1
        llm.n_tokens = start + kept  # the next read drops the rest of the draft from the cache
    return written


def read_prompt(llm, tokens: list[int], n_ctx: int, last: dict, at: int | None = None) -> list:
    """Evaluate `tokens`, reusing what the context's cache holds of them: the next token's logits
    after them, preceded, with `at`, by those after their first `at` tokens, read in the same pass
    (a separate pass over a few tokens costs ~0.2 s on 2 cores: docs/benchmarks.md). `last` keeps
    each context's last prompt and logits, so a prompt read just before is not read again.
    """
    if len(tokens) >= n_ctx:
        raise ValueError(f"prompt of {len(tokens)} tokens exceeds the context of {n_ctx}")
    cached = llm.longest_token_prefix(llm._input_ids.tolist(), tokens)
    if at is None and cached == len(tokens) and last.get(id(llm), ([],))[0] == tokens:
        llm.n_tokens = cached
        return [last[id(llm)][1]]
    llm.n_tokens = min(cached, len(tokens) - 1, len(tokens) - 1 if at is None else at - 1)
    wanted = [] if at is None else [at - 1 - llm.n_tokens]
    rows = _read_rows(llm, tokens[llm.n_tokens :], wanted)
    last[id(llm)] = (list(tokens), rows[-1])
    return rows


def _read_rows(llm, tokens: list[int], wanted: list[int]) -> list:
    """Evaluate `tokens` after the context's cache, a batch at a time: the next token's logits
    after each of the `wanted` ones (indices into `tokens`), then after the last.
    """
    import numpy as np

    rows = []
    llm._ctx.kv_cache_seq_rm(-1, llm.n_tokens, -1)
    for first in range(0, len(tokens), llm.n_batch):
        part = tokens[first : first + llm.n_batch]
        llm._batch.set_batch(batch=part, n_past=llm.n_tokens, logits_all=False)
        marked = [i - first for i in wanted if first <= i < first + len(part)]
        for i in marked:
            llm._batch.batch.logits[i] = True
        llm._ctx.decode(llm._batch)
        llm.input_ids[llm.n_tokens : llm.n_tokens + len(part)] = part
        llm.n_tokens += len(part)
        rows += [np.ctypeslib.as_array(llm._ctx.get_logits_ith(i), shape=(llm.n_vocab(),)).copy() for i in marked]
    return rows + [np.ctypeslib.as_array(llm._ctx.get_logits_ith(len(part) - 1), shape=(llm.n_vocab(),)).copy()]


class TokenPieces:
    """Every token of the vocabulary by the bytes it writes, and the tokens that end a reply:
    built once per model (~151,000 tokens), so a copy step looks up only the tokens that fit.
    """

    def __init__(self, llm):
        import llama_cpp

        self.piece = [llm.detokenize([token]) for token in range(llm.n_vocab())]
        self.by_piece: dict[bytes, list[int]] = {}
        for token, piece in enumerate(self.piece):
            self.by_piece.setdefault(piece, []).append(token)
        self.longest = max(map(len, self.by_piece))
        self.ends = [t for t in self.by_piece.get(b"", []) if llama_cpp.llama_vocab_is_eog(llm._model.vocab, t)]

    def draft(self, prompt: list[int], token: int, runs: WordRuns, written: bytes, limit: int) -> list[int]:
        """The longest run of up to `limit` tokens that follows `token` somewhere in `prompt` and
        keeps `written` a run of the sentence: what the copy will likely write next.
        """
        best: list[int] = []
        for at in (i for i, t in enumerate(prompt) if t == token):
            guess, text = [], written
            for t in prompt[at + 1 : at + 1 + max(0, limit)]:
                text += self.piece[t]
                if not self.piece[t] or not runs.allows(text):
                    break
                guess.append(t)
            best = max(best, guess, key=len)
        return best

    def next_copy_token(self, logits, runs: WordRuns, written: bytes) -> int | None:
        """The likeliest token that keeps `written` a run of the sentence (an empty piece never
        does), or one that ends the reply where `written` is a whole run; None when nothing fits.
        """
        fitting = {t for rest in runs.rests(written) for n in range(1, min(len(rest), self.longest) + 1)
                   for t in self.by_piece.get(rest[:n], ())}
        if runs.complete(written):
            fitting.update(self.ends)
        return max(sorted(fitting), key=lambda t: logits[t]) if fitting else None  # ties: the lower id, as greedy
