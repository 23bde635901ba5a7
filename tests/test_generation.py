from rag.generation import ContextSlots


def test_a_system_prompt_keeps_its_context_while_another_comes_and_goes():
    slots = ContextSlots(2)
    check, writer = slots.pick("check"), slots.pick("answer")
    assert check != writer
    assert [slots.pick(k) for k in ("check", "answer", "check", "check", "answer")] == [check, writer, check, check, writer]


def test_a_new_system_prompt_takes_the_least_recently_used_context():
    slots = ContextSlots(2)
    check, writer = slots.pick("check"), slots.pick("answer")
    slots.pick("check")
    assert slots.pick("rewrite") == writer  # the writer's cache was the older one
    assert slots.pick("check") == check


def test_one_context_serves_every_conversation():
    slots = ContextSlots(1)
    assert {slots.pick(k) for k in ("check", "answer", "rewrite")} == {0}


class FakeVocabModel:
    """A llama-like model whose vocabulary is a few pieces; token 0 ends a reply."""

    PIECES = [b"", b"", b"84", " شخص".encode(), "اً".encode(), b"8", b"4", "قتل".encode(),
              "ش".encode()[:1]]  # half of an Arabic letter

    class _model:
        vocab = None

    def n_vocab(self):
        return len(self.PIECES)

    def detokenize(self, tokens):
        return b"".join(self.PIECES[t] for t in tokens)


def test_a_copy_step_takes_the_likeliest_token_that_fits_a_run(monkeypatch):
    import llama_cpp
    import numpy as np

    from rag.copying import WordRuns
    from rag.generation import TokenPieces

    monkeypatch.setattr(llama_cpp, "llama_vocab_is_eog", lambda vocab, token: token == 0)
    pieces = TokenPieces(FakeVocabModel())
    assert pieces.ends == [0] and pieces.by_piece[b"84"] == [2]
    runs = WordRuns("قتل 84 شخصاً في نيس")
    logits = np.array([0.0, 9.0, 5.0, 1.0, 1.0, 6.0, 0.0, 2.0, 3.0])
    assert pieces.next_copy_token(logits, runs, b"") == 5  # "8": the empty token 1 never fits
    assert pieces.next_copy_token(logits, runs, b"8") == 6
    assert pieces.next_copy_token(logits, runs, "قتل 84".encode()) == 3  # " شخص" is likelier than the end
    logits[0] = 7.0
    assert pieces.next_copy_token(logits, runs, "قتل 84".encode()) == 0  # a whole run: the end may win
    assert pieces.next_copy_token(logits, runs, "قتل 8".encode()) == 6  # not whole: no end
    assert pieces.next_copy_token(logits, runs, "نيس".encode()) == 0 and pieces.next_copy_token(logits, WordRuns(""), b"") is None


def test_a_copy_guesses_its_next_tokens_from_where_the_sentence_is_in_the_prompt(monkeypatch):
    import llama_cpp

    from rag.copying import WordRuns
    from rag.generation import TokenPieces

    monkeypatch.setattr(llama_cpp, "llama_vocab_is_eog", lambda vocab, token: token == 0)
    pieces = TokenPieces(FakeVocabModel())
    runs = WordRuns("قتل 84 شخصاً في نيس")
    prompt = [7, 2, 3, 4, 0, 2, 8]  # "قتل", "84", " شخص", "اً", end, "84", half a letter
    assert pieces.draft(prompt, 7, runs, "قتل".encode(), 6) == []  # "84" needs its space: not a run
    assert pieces.draft(prompt, 2, runs, "قتل 84".encode(), 6) == [3, 4]  # stops at the end token
    assert pieces.draft(prompt, 2, runs, "قتل 84".encode(), 1) == [3]
    assert pieces.draft(prompt, 5, runs, b"8", 6) == []  # "8" is nowhere in the prompt
