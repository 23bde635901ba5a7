import pytest

from rag.citations import citation_grammar, parse_answer, strip_markers


@pytest.mark.parametrize(
    "answer, n, expected",
    [
        ("أوقع الاعتداء 84 قتيلا [1].", 3, [("أوقع الاعتداء 84 قتيلا.", [1], [])]),
        ("أوقع الاعتداء 84 قتيلا. [2]", 3, [("أوقع الاعتداء 84 قتيلا.", [2], [])]),
        ("جملة [1][3]. ثانية [٢، 9]", 3, [("جملة.", [1, 3], []), ("ثانية", [2], [9])]),
        ("لا أرقام هنا.", 3, [("لا أرقام هنا.", [], [])]),
        ("[1]", 3, []),
        ("Killed 84 people [1]. Claimed by ISIS [2].", 2, [("Killed 84 people.", [1], []), ("Claimed by ISIS.", [2], [])]),
    ],
)
def test_parse_answer(answer, n, expected):
    got = [(s.text, s.cited, s.invalid) for s in parse_answer(answer, n)]
    assert got == expected


def test_strip_markers():
    assert strip_markers("قتل 84 [1] شخصا [2, 3] .") == "قتل 84 شخصا."


def test_grammar_allows_only_existing_passages_and_the_abstention():
    grammar = citation_grammar(2, 'لا تذكر "المصادر" ذلك.')
    assert 'num ::= "1" | "2"' in grammar
    assert 'abstain ::= "لا تذكر \\"المصادر\\" ذلك."' in grammar
    assert "[^\\[\\]\\n]" in grammar  # claim text cannot contain brackets


def test_grammar_compiles_in_llama_cpp():
    llama_grammar = pytest.importorskip("llama_cpp.llama_grammar")
    assert llama_grammar.LlamaGrammar.from_string(citation_grammar(3, "لا تذكر المصادر ذلك."), verbose=False)
