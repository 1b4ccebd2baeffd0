"""The levers a leader moves on the page, and the ``--set`` overrides they make.

Each field is a dotted path of the scenario (``states.SGR.officers.posts``) whose text is
applied as the command line's ``--set PATH=TEXT`` would apply it, through the same
``model.loading`` functions: a bad value gets the command line's message, naming the
override, and the page shows it beside the field.  The course field is the one exception:
places on a course become one more run in ``training.courses``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from model.loading import ScenarioError, apply_override, override, validate
from model.metrics import HQ
from model.optimise_schema import Delivery
from model.scenario import Scenario
from model.schema_base import STATE_CODES, CourseKind
from solvers.plan import COURSE_START_DAYS, trained_group

STATE_COLUMNS = (("officers.posts", "Officers"), ("lower_ranks.posts", "Lower ranks"),
                 ("campaigns_per_year", "Campaigns a year"))
"""Each state's fields (after ``states.CODE.``) and their column headings."""
HQ_FIELDS = (("hq.download_team.officers.posts", "Download team: officers"),
             ("hq.download_team.lower_ranks.posts", "Download team: lower ranks"),
             ("hq.forensic_team.officers.posts", "Forensic team: officers"),
             ("hq.forensic_team.lower_ranks.posts", "Forensic team: lower ranks"))
"""HQ's posts by team and rank."""
LINE = "download.line_mbps"
LINE_TIERS = (100, 500, 1000, 10000)
"""The provider's tiers, in Mbps (the shipped optimisation's ``bandwidth_tiers``)."""
TODAYS_LINE = ""
"""The line field's value for "keep today's line" (no ``line_mbps``)."""
TOOL_FIELDS = (("tooling.risk_scoring", "Risk scoring"),
               ("tooling.hash_matching", "Hash matching"))
WORKSTATIONS = "tooling.workstations"
COURSE_KIND, COURSE_SITE, COURSE_PLACES = "course.kind", "course.site", "course.places"
"""The course fields: which course, for whom, and how many places (0: none)."""
COURSE_DAYS = 10
"""Days a course added on the page takes its people off duty (a local course's)."""


def state_paths(codes: tuple[str, ...] = STATE_CODES) -> list[str]:
    """Every state field, state by state."""
    return [f"states.{code}.{column}" for code in codes for column, _ in STATE_COLUMNS]


def lever_paths() -> list[str]:
    """Every field the page shows, in the order of the page (the order of its inputs)."""
    return [*state_paths(), *(path for path, _ in HQ_FIELDS), LINE,
            *(path for path, _ in TOOL_FIELDS), WORKSTATIONS, COURSE_KIND, COURSE_SITE,
            COURSE_PLACES]


def _at(raw: Mapping[str, Any], path: str) -> Any:
    node: Any = raw
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def lever_values(scenario: Mapping[str, Any]) -> dict[str, str]:
    """The text of every field for a scenario (as ``run.json`` records it)."""
    values = {path: _text(_at(scenario, path)) for path in lever_paths()}
    values[LINE] = _text(_at(scenario, LINE)) or TODAYS_LINE
    for path, _ in TOOL_FIELDS:
        values[path] = values[path] or "false"
    values[WORKSTATIONS] = values[WORKSTATIONS] or "0"
    values.update({COURSE_KIND: CourseKind.DIGITAL_FORENSICS.value, COURSE_SITE: HQ,
                   COURSE_PLACES: "0"})
    return values


@dataclass(frozen=True)
class Moves:
    """What a leader asked: the overrides of the base, and the field each one came from."""

    overrides: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)
    """Each override's text -> the field path it belongs to."""
    words: tuple[str, ...] = ()
    """Each move in words, for the new option's name."""


def _posts_moves(path: str, text: str, base: Mapping[str, Any], vacant: bool) -> list[str]:
    """The override of a post field, and with ``vacant`` its group's ``filled_at_start``."""
    texts = [f"{path}={text}"]
    group = path.rsplit(".", 1)[0]
    before = _at(base, group) or {}
    try:
        posts = int(text)
    except ValueError:
        return texts
    filled = before.get("filled_at_start")
    held = before.get("posts", 0) if filled is None else filled
    if vacant and posts > int(before.get("posts", 0)) and filled is None:
        texts.append(f"{group}.filled_at_start={held}")
    elif filled is not None and posts < int(filled):
        texts.append(f"{group}.filled_at_start={posts}")
    return texts


def _label(path: str) -> str:
    parts = path.split(".")
    if parts[0] == "states":
        column = dict(STATE_COLUMNS)[".".join(parts[2:])]
        return f"{parts[1]} {column.lower()}"
    return dict((*HQ_FIELDS, *TOOL_FIELDS, (WORKSTATIONS, "Workstations"))).get(
        path, path).lower()


def _words(path: str, before: str, text: str) -> str:
    """A move in words, for the new option's name: "SGR officers 1→3", "line 500 Mbps"."""
    if path == LINE:
        return "today's line" if text == TODAYS_LINE else f"line {text} Mbps"
    if path in dict(TOOL_FIELDS):
        return f"{_label(path)} {'bought' if text == 'true' else 'not bought'}"
    return f"{_label(path)} {before}→{text}"


def _course(values: Mapping[str, str], base: Mapping[str, Any]) -> tuple[str, str] | None:
    """The ``training.courses`` override adding the course field's places, if any."""
    places = values.get(COURSE_PLACES, "0").strip()
    if places in ("", "0"):
        return None
    site = values.get(COURSE_SITE) or HQ
    start = dt.date.fromisoformat(str(base.get("start_date")))
    added = {"course": values.get(COURSE_KIND) or CourseKind.DIGITAL_FORENSICS.value,
             "site": site, "group": trained_group(site), "places": _yaml_scalar(places),
             "start_date": (start + dt.timedelta(days=COURSE_START_DAYS[Delivery.LOCAL])
                            ).isoformat(), "duration_days": COURSE_DAYS}
    courses = list(_at(base, "training.courses") or []) + [added]
    words = f"{places} places {added['course'].replace('_', ' ')} ({site})"
    return f"training.courses={json.dumps(courses, separators=(',', ':'))}", words


def _yaml_scalar(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return text


def moves(values: Mapping[str, str], base: Mapping[str, Any], vacant: bool = True) -> Moves:
    """The overrides that turn ``base`` (a recorded scenario) into what the fields say.

    Only fields whose text differs from the base's make an override; a post field that
    adds posts also sets its group's ``filled_at_start`` to the posts held today when
    ``vacant`` (new posts start vacant and are filled after the recruitment lag).
    """
    before = lever_values(base)
    texts: list[str] = []
    fields: dict[str, str] = {}
    words: list[str] = []
    for path in lever_paths():
        if path.startswith("course.") or path not in values:
            continue
        text = str(values[path] if values[path] is not None else "").strip()
        if text == before[path]:
            continue
        made = _posts_moves(path, text, base, vacant) if path.endswith(".posts") \
            else [f"{path}={'null' if path == LINE and text == TODAYS_LINE else text}"]
        texts += made
        fields.update({made_text: path for made_text in made})
        words.append(_words(path, before[path], text))
    course = _course(values, base)
    if course is not None:
        texts.append(course[0])
        fields[course[0]] = COURSE_PLACES
        words.append(course[1])
    return Moves(tuple(texts), fields, tuple(words))


@dataclass(frozen=True)
class Checked:
    """A base scenario with moves applied, or the problems with them.

    ``problems`` maps a field path to the command line's message of each problem with
    it; ``general`` holds problems no field owns.
    """

    scenario: Scenario | None
    problems: dict[str, list[str]] = field(default_factory=dict)
    general: tuple[str, ...] = ()


def check(base: Scenario, asked: Moves) -> Checked:
    """Apply the moves as ``--set`` overrides of ``base``; on failure, the messages by field.

    The messages are the command line's (``run_scenario.py run ... --set PATH=TEXT``),
    one line per problem, each naming the override it comes from.
    """
    raw = base.model_dump(mode="json", exclude_none=True)
    try:
        overridden = [(apply_override(raw, text), text) for text in asked.overrides]
        validate(raw, None, overridden)
        return Checked(override(base, asked.overrides))
    except ScenarioError as error:
        return _placed(str(error), asked)


def _placed(message: str, asked: Moves) -> Checked:
    lines = [line.strip()[2:] for line in message.splitlines() if line.strip().startswith("- ")]
    problems: dict[str, list[str]] = {}
    general: list[str] = []
    for line in lines or [message]:
        owners = list(dict.fromkeys(
            path for text, path in asked.fields.items()
            if re.search(re.escape(f"--set {text}") + r"(,|\)|:|$)", line)))
        for path in owners:
            problems.setdefault(path, []).append(line)
        if not owners:
            general.append(line)
    return Checked(None, problems, tuple(general))
