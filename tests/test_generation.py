from rag.generation import ContextSlots


def test_a_system_prompt_keeps_its_context_while_another_comes_and_goes():
    lanes = ContextSlots(2)
    check, writer = lanes.pick("check"), lanes.pick("answer")
    assert check != writer
    assert [lanes.pick(k) for k in ("check", "answer", "check", "check", "answer")] == [check, writer, check, check, writer]


def test_a_new_system_prompt_takes_the_least_recently_used_context():
    lanes = ContextSlots(2)
    check, writer = lanes.pick("check"), lanes.pick("answer")
    lanes.pick("check")
    assert lanes.pick("rewrite") == writer  # the writer's cache was the older one
    assert lanes.pick("check") == check


def test_one_context_serves_every_conversation():
    lanes = ContextSlots(1)
    assert {lanes.pick(k) for k in ("check", "answer", "rewrite")} == {0}
