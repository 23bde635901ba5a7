import pytest

from rag.conversation import needs_rewrite, rewrite_question
from rag.prompting import Prompts
from rag.settings import PROJECT_ROOT

HISTORY = [("كم شخصاً قتل في اعتداء نيس؟", "أوقع اعتداء نيس 84 قتيلا [1].")]


@pytest.mark.parametrize(
    "question, history, expected",
    [
        ("ومتى حدث ذلك؟", HISTORY, True),
        ("ومن تبناه؟", HISTORY, True),
        ("And who claimed it?", HISTORY, True),
        ("من هو وزير الدفاع الفرنسي الذي زار موسكو؟", HISTORY, False),
        ("ومتى حدث ذلك؟", [], False),
    ],
)
def test_needs_rewrite(question, history, expected):
    assert needs_rewrite(question, history) is expected


def test_rewrite_uses_history_and_returns_the_standalone_question(generator):
    generator.enqueue("متى وقع اعتداء نيس؟\nشرح زائد")
    out = rewrite_question(generator, Prompts(PROJECT_ROOT / "prompts"), "ومتى حدث ذلك؟", HISTORY)
    assert out == "متى وقع اعتداء نيس؟"
    prompt = generator.history[-1]["messages"][0]["content"]
    assert "كم شخصاً قتل في اعتداء نيس؟" in prompt and "ومتى حدث ذلك؟" in prompt


def test_empty_rewrite_keeps_the_question(generator):
    generator.enqueue("")
    assert rewrite_question(generator, Prompts(PROJECT_ROOT / "prompts"), "ومتى حدث ذلك؟", HISTORY) == "ومتى حدث ذلك؟"
