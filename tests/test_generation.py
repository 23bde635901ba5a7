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
