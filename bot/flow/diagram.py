"""The flow as a Mermaid state diagram, generated from `machine.TRANSITIONS`.

`python -m bot.flow.diagram > docs/flow.md` (or `make docs`) rewrites docs/flow.md; a unit test
fails when the file and the table disagree.
"""

from __future__ import annotations

from bot.flow.machine import TRANSITIONS, Step


def mermaid() -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {Step.eligibility.value}: /start"]
    lines += [
        f"    {edge.source.value} --> {edge.target.value}: {edge.trigger.replace(':', ' -')}"
        for edge in TRANSITIONS
    ]
    lines += [f"    {step.value} --> [*]" for step in (Step.completed, Step.cancelled)]
    return "\n".join(lines)


def document() -> str:
    return (
        "# The conversation\n"
        "\n"
        "Generated from `TRANSITIONS` in `bot/flow/machine.py` by `make docs`; don't edit it.\n"
        "Events that fit no edge leave the step as it is and show its current screen again.\n"
        "`/start` after `completed`, `failed` or `cancelled` begins a new integration.\n"
        "\n"
        "```mermaid\n"
        f"{mermaid()}\n"
        "```\n"
    )


if __name__ == "__main__":
    print(document(), end="")
