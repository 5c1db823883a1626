"""Workers' 有用 / 没用 on an answer, in the conversation: the two buttons under an answer, recognising the
word when it is typed or pressed, and the thanks.

The gateway asks for feedback under an answer and takes the word before the engine does, so it never
reaches retrieval as a question of its own. The word always rates the worker's latest answer
(`core.feedback.feedback_on_last_answer`), which is why the web chat retires the buttons of older answers.
"""

from dataclasses import replace

from bot.intents import compact
from core.messages import Button, Reply

HELPFUL = Button("有用", "有用")
UNHELPFUL = Button("没用", "没用")
BUTTONS = (HELPFUL, UNHELPFUL)
PAYLOADS = frozenset(button.payload for button in BUTTONS)
# Short replies that say only whether the answer helped; anything longer is a new question or a form's answer.
WORDS = {
    "有用": True,
    "有帮助": True,
    "没用": False,
    "没有用": False,
    "没帮助": False,
    "没有帮助": False,
}


def feedback_word(text: str) -> bool | None:
    """True for 有用, False for 没用, None for anything else."""
    return WORDS.get(compact(text))


def is_feedback(button: Button) -> bool:
    return button.payload in PAYLOADS


def asking_feedback(reply: Reply) -> Reply:
    """The answer with 有用 / 没用 after its own buttons."""
    return replace(reply, buttons=(*reply.buttons, *BUTTONS))
