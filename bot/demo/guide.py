"""The README's user guide against a run of the tour: every ```text block of the guide that
shows commands ("alice> /comment ...") must show what the demo answered to them.

    python -m bot demo --script examples/tour.txt --now 2014-01-10 --tz Europe/Zurich \\
        --out demo-output > tour.out
    python -m bot.demo.guide README.md tour.out           # lists the blocks that differ
    python -m bot.demo.guide README.md tour.out --write   # pastes the tour's answers in

A block shows some of the tour's commands, in any order, each followed by its answer; an answer
line "  ..." means the rest is left out (the lines before it must still match). A block after
the comment `<!-- not from the tour -->` is left alone (the Word round trip needs LibreOffice).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

START, END = "<!-- guide:start -->", "<!-- guide:end -->"
SKIP = "<!-- not from the tour -->"
_COMMAND = re.compile(r"^(\w+)> (/.*)$")
ELLIPSIS = "  ..."


@dataclass
class Answer:
    speaker: str
    command: str
    lines: list[str] = field(default_factory=list)


def answers(lines: Sequence[str]) -> list[Answer]:
    """Each echoed command with the lines that follow it, up to the next command."""
    out: list[Answer] = []
    for line in lines:
        m = _COMMAND.match(line)
        if m:
            out.append(Answer(m.group(1), m.group(2)))
        elif out:
            out[-1].lines.append(line)
    return out


_SIZE = re.compile(r"\(\d[\d,]* bytes\)")


def _same(lines: list[str]) -> list[str]:
    """Lines as compared: a saved file's size varies by a few bytes from run to run (the
    demo's clock runs on, and DOCX files carry their time), so it is not compared."""
    return [_SIZE.sub("(N bytes)", line) for line in lines]


def _matches(shown: list[str], said: list[str]) -> bool:
    shown, said = _same(shown), _same(said)
    if ELLIPSIS in shown:
        head = shown[: shown.index(ELLIPSIS)]
        return said[: len(head)] == head and len(said) > len(head)
    return shown == said


def _blocks(readme: list[str]) -> list[tuple[int, int]]:
    """(first, last) line indexes of the body of each ```text block of the guide that is to be
    checked."""
    try:
        begin, end = readme.index(START), readme.index(END)
    except ValueError:
        return []
    out: list[tuple[int, int]] = []
    i = begin
    while i < end:
        if readme[i].strip() == "```text":
            j = i + 1
            while readme[j].strip() != "```":
                j += 1
            skipped = any(readme[k].strip() == SKIP for k in range(max(begin, i - 3), i))
            if not skipped and any(_COMMAND.match(line) for line in readme[i + 1 : j]):
                out.append((i + 1, j))
            i = j
        i += 1
    return out


def normalize_output(text: str, out_dir: str | None) -> list[str]:
    """The run's lines, with the files it saved named as in the guide (demo-output/...)."""
    if out_dir:
        text = text.replace(f"[file saved: {out_dir.rstrip('/')}/", "[file saved: demo-output/")
    # A code fence inside an answer (the /coverage table) cannot be shown inside the guide's
    # own ```text block; the guide leaves it out.
    return [line for line in text.splitlines() if line.strip() != "```"]


def check(readme_text: str, output: list[str], *, write: bool = False) -> tuple[list[str], str]:
    """The differences between the guide and the run, and the README with the run's answers
    pasted in (the same text when `write` is False)."""
    readme = readme_text.splitlines()
    said = answers(output)
    problems: list[str] = []
    for first, last in reversed(_blocks(readme)):
        body: list[str] = []
        for shown in answers(readme[first:last]):
            candidates = [a for a in said if (a.speaker, a.command) == (shown.speaker, shown.command)]
            if not candidates:
                problems.append(f"README line {first}: {shown.speaker}> {shown.command} is not in the run")
                body += [f"{shown.speaker}> {shown.command}", *shown.lines]
                continue
            good = next((a for a in candidates if _matches(shown.lines, a.lines)), None)
            if good is None:
                actual = candidates[0].lines
                problems.append(
                    f"README line {first}: {shown.speaker}> {shown.command}\n"
                    + "\n".join(f"    guide: {line}" for line in shown.lines)
                    + "\n"
                    + "\n".join(f"    run:   {line}" for line in actual)
                )
                if ELLIPSIS in shown.lines:
                    keep = shown.lines.index(ELLIPSIS)
                    new = [*actual[:keep], ELLIPSIS] if len(actual) > keep else actual
                else:
                    new = actual
            else:
                new = shown.lines
            body += [f"{shown.speaker}> {shown.command}", *new]
        if write:
            readme[first:last] = body
    problems.reverse()
    return problems, "\n".join(readme) + ("\n" if readme_text.endswith("\n") else "")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    write = "--write" in args
    args = [a for a in args if a != "--write"]
    if len(args) != 2:
        print("usage: python -m bot.demo.guide README.md TOUR-OUTPUT [--write]", file=sys.stderr)
        return 2
    readme_path, output_path = Path(args[0]), Path(args[1])
    output = normalize_output(output_path.read_text(encoding="utf-8"), None)
    problems, updated = check(readme_path.read_text(encoding="utf-8"), output, write=write)
    for problem in problems:
        print(problem)
    if write and problems:
        readme_path.write_text(updated, encoding="utf-8")
        print(f"({len(problems)} answer(s) pasted into {readme_path})")
        return 0
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
