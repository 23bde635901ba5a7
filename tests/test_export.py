"""A conversation as Markdown and JSON, and one answer with its sources for the clipboard."""

import json
from datetime import datetime, timezone

from test_ui_render import answer

from rag.answering.direct import DirectAnswer
from rag.chunking import Chunk
from rag.context import Passage
from rag.ui.export import answer_text, conversation_json, conversation_markdown, turn_record

CHUNK = Chunk("ar-news#0", "ar-news", "افتتاح محطة تحلية في ينبع", 100, 180, "بلغت كلفة المحطة 2.4 مليار ريال.",
              outlet="صحيفة الساحل", date="2015-08-12", url="https://alsahil.example/n/1")
CITED = Passage(1, CHUNK, 100, 134, CHUNK.text, 1.0, 0.9)
OTHER = Passage(2, Chunk("x#3", "x", "خبر آخر", 0, 20, "نص آخر"), 0, 6, "نص آخر", 0.5, 0.4)
WHEN = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


def turn(**changes):
    fields = dict(question="كم بلغت كلفة محطة ينبع؟", answer="«بلغت كلفة المحطة 2.4 مليار ريال.» [1]",
                  passages=[CITED, OTHER], direct=DirectAnswer("2.4 مليار ريال", 1, 118, 132))
    fields.update(changes)
    typed = fields.pop("typed", fields["question"])
    return turn_record(typed, answer(**fields))


def test_json_keeps_every_cited_passage_with_offsets_and_source():
    data = json.loads(conversation_json([turn()], WHEN))
    assert data["exported_at"] == "2026-11-29T12:00:00+00:00"
    record = data["turns"][0]
    assert record["direct"] == {"text": "2.4 مليار ريال", "citation": 1, "start": 118, "end": 132, "rendering": "",
                                "shown": "2.4 مليار ريال"}
    cited = [s for s in record["sources"] if s["cited"]]
    assert [(s["n"], s["start"], s["end"], s["outlet"], s["date"]) for s in cited] == [(1, 100, 134, "صحيفة الساحل", "2015-08-12")]
    assert [s["n"] for s in record["sources"]] == [1, 2]


def test_markdown_reads_as_a_conversation_with_sources():
    text = conversation_markdown([turn(), turn(typed="<b>وماذا</b> عن *الكلفة*؟")], WHEN)
    assert "## 1. كم بلغت كلفة محطة ينبع؟" in text
    assert "**2.4 مليار ريال** [1]" in text
    assert "[1] افتتاح محطة تحلية في ينبع — صحيفة الساحل, 2015-08-12 — https://alsahil.example/n/1, chars 100–134" in text
    assert "> بلغت كلفة المحطة 2.4 مليار ريال." in text
    assert "## 2. &lt;b&gt;وماذا&lt;/b&gt; عن \\*الكلفة\\*؟" in text  # typed text stays text
    assert "*↪ كم بلغت كلفة محطة ينبع؟*" in text  # the follow-up as it was answered
    assert "خبر آخر" not in text  # an uncited passage is not a source


def test_copied_answer_is_plain_text_with_its_sources():
    text = answer_text(turn())
    assert text.startswith("2.4 مليار ريال [1]\n\n«بلغت كلفة المحطة 2.4 مليار ريال.» [1]")
    assert "[1] افتتاح محطة تحلية في ينبع — صحيفة الساحل, 2015-08-12 — https://alsahil.example/n/1" in text
    assert "**" not in text


def test_a_source_other_outlets_ran_too_is_exported_with_them():
    also = (Chunk("okaz_1#2", "okaz_1", "محطة ينبع", 0, 9, "بلغت كلفة المحطة", "okaz", "2015-08-13"),
            Chunk("okaz_2#0", "okaz_2", "كلفة محطة ينبع", 0, 9, "بلغت كلفة المحطة", "okaz", "2015-08-13"))
    passage = Passage(1, CHUNK, 100, 134, CHUNK.text, 1.0, 0.9, also)
    record = turn(passages=[passage, OTHER])
    assert record["sources"][0]["also"][0] == {"chunk_id": "okaz_1#2", "source": "okaz_1", "title": "محطة ينبع",
                                               "outlet": "okaz", "date": "2015-08-13", "url": ""}
    assert len(record["sources"][0]["also"]) == 2
    assert "وردت أيضاً في · also in: okaz, 2015-08-13\n" in answer_text(record)  # an outlet's reprint once
    assert "also in" not in answer_text(turn())
    reprint = (Chunk("sahil_2#0", "sahil_2", "محطة ينبع", 0, 9, "بلغت كلفة المحطة", "صحيفة الساحل", "2015-08-12"),)
    assert "also in" not in answer_text(turn(passages=[Passage(1, CHUNK, 100, 134, CHUNK.text, 1.0, 0.9, reprint)]))


def test_an_abstention_lists_the_closest_passages():
    text = answer_text(turn(abstained=True, answer="لا تذكر المصادر ذلك.", direct=None))
    assert "أقرب المقاطع · Closest passages:" in text and "[2] خبر آخر" in text


def test_a_name_in_another_language_is_exported_with_its_source_spelling():
    direct = DirectAnswer("كلفة المحطة", 1, 118, 129, "the plant's cost")
    text = answer_text(turn_record("What did it cost?", answer(question="What did it cost?", answer="It cost [1].",
                                                                  passages=[CITED], direct=direct)), markdown=True)
    assert text.startswith("**the plant's cost (كلفة المحطة)** [1]")
