"""The answer path: a thin `Assistant`, one module per flow (extractive, generative), the
threshold decisions in `policy`, and typed stream events.
"""

from .answer import Answer, QuestionError
from .assistant import Assistant
from .events import AnswerStream, Draft, Event, Final, Passages, Token

__all__ = ["Answer", "AnswerStream", "Assistant", "Draft", "Event", "Final", "Passages", "QuestionError", "Token"]
