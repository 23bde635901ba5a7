"""Near-duplicate hits: one passage shown, the other articles that ran the same text listed."""

from rag.chunking import Chunk
from rag.retrieval import Hit, remove_near_duplicates

WIRE = "أعلنت وزارة الصحة أن عدد الإصابات بفيروس كورونا بلغ 1200 حالة منذ بداية العام في المملكة."


def hit(source: str, text: str, n: int = 0, outlet: str = "") -> Hit:
    return Hit(Chunk(f"{source}#{n}", source, "", 0, len(text), text, outlet), 1.0, 0.9, 5.0)


def test_a_wire_story_in_other_outlets_is_one_hit_that_names_them():
    hits = [hit("okaz_1", WIRE, outlet="okaz"), hit("other_1", "ارتفعت أسعار النفط في الأسواق العالمية."),
            hit("watan_1", WIRE + " المصدر: واس", outlet="alwatan"), hit("okaz_1", WIRE, 1, "okaz"),
            hit("yaum_1", WIRE, outlet="alyaum")]
    kept = remove_near_duplicates(hits, 0.9)
    assert [h.chunk.chunk_id for h in kept] == ["okaz_1#0", "other_1#0"]
    # another chunk of the article already shown is not another outlet
    assert [c.chunk_id for c in kept[0].also] == ["watan_1#0", "yaum_1#0"]
    assert kept[1].also == ()
