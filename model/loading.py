"""Read a scenario: YAML files (with ``extends``), command-line overrides, clear errors.

Everything a planner can get wrong in a scenario file ends here as a
:class:`ScenarioError` whose message names the file, the field's dotted path,
the line where it was written and what would be valid.
"""

from __future__ import annotations

import copy
import json
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from model.engine.initial_state import InitialStateError, carrying_initial_state
from model.scenario import Scenario
from model.schema_base import Estimate, FieldError, unit_of

Location = tuple[str, int]  # (file name, 1-based line)


class ScenarioError(Exception):
    """A scenario that cannot be used; the message is written for the planner."""


def load_scenario(path: str | Path, overrides: typing.Sequence[str] = ()) -> Scenario:
    """Read, merge, override and validate a scenario file.

    Parameters
    ----------
    path
        The YAML file.  It may name a parent with ``extends: other.yaml``
        (relative to its own folder) and then give only what differs.
    overrides
        ``dotted.path=value`` strings; the value is read as YAML.  A path that
        ends at an estimate (a mapping with ``value``) sets its ``value``; a
        mapping given where a mapping stands is merged into it, as ``extends``
        would merge it.

    Returns
    -------
    Scenario
        Carrying the rows of its starting-state file (read and checked here, once), so
        that a replication anywhere needs no file of the client's.

    Raises
    ------
    ScenarioError
        With a message naming the field, the line and the fix.
    """
    hypothesis = hypothesis_named(Path(path), overrides)
    raw, lines = read_merged(Path(path), (), hypothesis)
    overridden = [(apply_override(raw, text), text) for text in overrides]
    try:
        scenario = validate(raw, lines, overridden)
    except ScenarioError as error:
        raise ScenarioError(f"{path}: {error}") from None
    try:
        return carrying_initial_state(scenario)
    except InitialStateError as error:
        raise ScenarioError(f"{path}: {error}") from None


def override(scenario: Scenario, overrides: typing.Sequence[str]) -> Scenario:
    """A variant of a validated scenario with ``dotted.path=value`` overrides applied.

    The variant carries the starting state's rows too: ``scenario``'s if it starts from
    the same file, else those of the file it names (read and checked here).
    """
    raw = scenario.model_dump(mode="json", exclude_none=True)
    for text in overrides:
        apply_override(raw, text)
    varied = validate(raw)
    before, after = scenario.initial_state, varied.initial_state
    if before is not None and after is not None and before.from_file == after.from_file:
        # the dump leaves the rows out (see InitialState); the file is the same
        varied = varied.model_copy(update={"initial_state": after.model_copy(
            update={"counts": before.counts})})
    try:
        return carrying_initial_state(varied)
    except InitialStateError as error:
        raise ScenarioError(str(error)) from None


Overridden = typing.Sequence[tuple[tuple[str, ...], str]]
"""The field paths ``--set`` overrides set, each with the override as typed."""


def validate(raw: dict[str, Any], lines: dict[tuple[str, ...], Location] | None = None,
             overridden: Overridden = ()) -> Scenario:
    """Validate a merged mapping, turning pydantic's errors into a planner's message.

    Parameters
    ----------
    raw
        The merged scenario.
    lines
        Where each field path was written (file, line), for the message.
    overridden
        The paths ``--set`` overrides set: a problem there names the override, not the
        file it replaced.
    """
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(describe_errors(error, lines or {}, overridden)) from None


HYPOTHESIS_SLOT = "{hypothesis}"
"""In ``extends``, stands for the hypothesis the scenario runs under
(``extends: calibrated/{hypothesis}.yaml``): each hypothesis has its own calibrated file."""


def hypothesis_named(path: Path, overrides: typing.Sequence[str] = ()) -> str | None:
    """The hypothesis a scenario runs under.

    The last ``hypothesis=`` override, else the nearest file of the ``extends`` chain
    (child first) that names one.
    """
    for text in reversed(overrides):
        key, sep, value = text.partition("=")
        if sep and key.strip() == "hypothesis":
            named = yaml.safe_load(value) if value.strip() else None
            return None if named is None else str(named)
    current, seen = path, set[Path]()
    while current.exists() and current.resolve() not in seen and len(seen) <= MAX_EXTENDS:
        seen.add(current.resolve())
        raw, _ = read_yaml(current)
        if "hypothesis" in raw:
            return None if raw["hypothesis"] is None else str(raw["hypothesis"])
        parent = raw.get("extends")
        if not isinstance(parent, str) or HYPOTHESIS_SLOT in parent:
            return None
        current = current.parent / parent
    return None


def available_hypotheses(path: Path) -> list[str]:
    """The hypotheses a scenario can run under: the calibrated files its chain can extend."""
    current, seen = path, set[Path]()
    while current.exists() and current.resolve() not in seen and len(seen) <= MAX_EXTENDS:
        seen.add(current.resolve())
        raw, _ = read_yaml(current)
        parent = raw.get("extends")
        if not isinstance(parent, str):
            return []
        if HYPOTHESIS_SLOT in parent:
            pattern = Path(parent.replace(HYPOTHESIS_SLOT, "*"))
            before, _, after = pattern.name.partition("*")
            return sorted(found.name.removeprefix(before).removesuffix(after)
                          for found in (current.parent / pattern.parent).glob(pattern.name))
        current = current.parent / parent
    return []


HISTORY_FILE = "history_2018_2023.yaml"
"""The history a forward scenario's hypotheses were calibrated on, by default beside it."""


def history_for(scenario: Scenario, history: Path | None, folder: Path) -> Scenario | None:
    """The history that calibrates a scenario's hypothesis, loaded under that hypothesis.

    ``history`` names it; by default it is ``history_2018_2023.yaml`` in ``folder`` (None if
    there is none there).

    Raises
    ------
    ScenarioError
        If a history named does not exist, or does not calibrate the hypothesis.
    """
    path = history or folder / HISTORY_FILE
    if not path.exists():
        if history is not None:
            raise ScenarioError(f"--history {path} does not exist")
        return None
    loaded = load_scenario(path, [f"hypothesis={scenario.hypothesis}"])
    if loaded.calibration is None or scenario.hypothesis not in loaded.calibration.hypotheses:
        raise ScenarioError(f"{path} does not calibrate hypothesis {scenario.hypothesis}; "
                            "name the history that does with --history")
    return loaded


def _parent_path(path: Path, parent_name: str, hypothesis: str | None) -> Path:
    """The file ``extends`` names, with the hypothesis filled in where it has a slot."""
    if HYPOTHESIS_SLOT not in parent_name:
        parent_path = path.parent / parent_name
        if not parent_path.exists():
            raise ScenarioError(f"{path}: extends '{parent_name}', which does not exist next "
                                f"to it ({parent_path})")
        return parent_path
    choices = ", ".join(available_hypotheses(path)) or "none: run calibrate first"
    if hypothesis is None:
        raise ScenarioError(f"{path}: extends '{parent_name}', the calibrated values of a "
                            "hypothesis; name one with 'hypothesis: NAME' or --hypothesis "
                            f"NAME (calibrated: {choices})")
    parent_path = path.parent / parent_name.replace(HYPOTHESIS_SLOT, hypothesis)
    if not parent_path.exists():
        raise ScenarioError(f"hypothesis '{hypothesis}' has no calibrated values "
                            f"({parent_path} does not exist); calibrated: {choices}")
    return parent_path


MAX_EXTENDS = 32
"""How many files an ``extends`` chain may hold (the shipped ones hold three or four)."""


def read_merged(path: Path, chain: tuple[Path, ...], hypothesis: str | None = None,
                ) -> tuple[dict[str, Any], dict[tuple[str, ...], Location]]:
    """Read ``path`` and, depth first, whatever it ``extends``; child keys win."""
    resolved = path.resolve()
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(f"{path}: the 'extends' chain is more than {MAX_EXTENDS} files deep "
                            f"(it starts at {chain[0].name}); a scenario needs a few layers at "
                            "most: extend the file you want directly")
    if resolved in chain:
        cycle = " -> ".join(p.name for p in (*chain, resolved))
        raise ScenarioError(f"{path}: 'extends' goes round in a circle ({cycle}); break the loop")
    raw, lines = read_yaml(path)
    _anchor_paths(raw, path.parent)
    parent_name = raw.pop("extends", None)
    if parent_name is None:
        return raw, lines
    if not isinstance(parent_name, str):
        raise ScenarioError(f"{path}: 'extends' must be a file name such as status_quo.yaml")
    parent_path = _parent_path(path, parent_name, hypothesis)
    base, base_lines = read_merged(parent_path, (*chain, resolved), hypothesis)
    return deep_merge(base, raw), {**base_lines, **lines}


def _anchor_paths(raw: dict[str, Any], folder: Path) -> None:
    """Make file paths in a scenario relative to the file that names them, not to the cwd."""
    initial = raw.get("initial_state")
    if isinstance(initial, dict) and isinstance(initial.get("from_file"), str):
        named = Path(initial["from_file"])
        if not named.is_absolute():
            initial["from_file"] = str((folder / named).resolve())


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], Location]]:
    """Parse one YAML file safely into a mapping and a map of key paths to lines."""
    if not path.exists():
        raise ScenarioError(f"scenario file not found: {path}; check the path and spelling")
    if not path.is_file():
        raise ScenarioError(f"{path} is not a file; give the path of a scenario .yaml file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1}" if mark else ""
        raise ScenarioError(
            f"{path}: YAML tag not allowed{where} ({error.problem}); a scenario holds plain "
            "values only (numbers, text, dates, lists and mappings)"
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "invalid YAML"
        raise ScenarioError(
            f"{path}: YAML syntax error{where}: {problem}; check indentation, colons and quotes"
        ) from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path}: YAML syntax error: {error}") from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(
            f"{path}: a scenario must be a mapping of keys to values (name: ..., states: ...), "
            f"but this file is {kind}"
        )
    lines: dict[tuple[str, ...], Location] = {}
    _collect_lines(node, (), path.name, lines)
    return data, lines


def _collect_lines(node: yaml.Node | None, prefix: tuple[str, ...], file_name: str,
                   lines: dict[tuple[str, ...], Location],
                   seen: set[int] | None = None) -> None:
    # An alias is the same node again: visit each node once, or nested aliases
    # ("billion laughs") would make this walk exponential.
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = (*prefix, str(key_node.value))
            lines[path] = (file_name, key_node.start_mark.line + 1)
            _collect_lines(value_node, path, file_name, lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value):
            path = (*prefix, str(number))
            lines[path] = (file_name, item.start_mark.line + 1)
            _collect_lines(item, path, file_name, lines, seen)


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Merge ``update`` into a copy of ``base``: mappings merge, anything else replaces."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def apply_override(raw: dict[str, Any], text: str) -> tuple[str, ...]:
    """Apply one ``dotted.path=value`` override in place; return the field path it set."""
    path_text, sep, value_text = text.partition("=")
    if not sep or not path_text.strip():
        raise ScenarioError(
            f"--set '{text}': write it as dotted.path=value, e.g. download.line_mbps=500"
        )
    try:
        value = yaml.safe_load(value_text) if value_text.strip() else None
    except yaml.YAMLError:
        value = value_text
    keys = path_text.strip().split(".")
    node: Any = raw
    for depth, key in enumerate(keys[:-1]):
        node = _step(node, key, keys[: depth + 1], create=True)
    last = _key_in(node, keys[-1])
    current = node.get(last) if isinstance(node, dict) else None
    if isinstance(current, dict) and isinstance(value, dict):
        node[last] = deep_merge(current, value)  # as `extends` would merge it
    elif isinstance(current, dict) and "value" in current:
        node[last] = {**current, "value": value}
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError(f"--set {path_text}: '{'.'.join(keys[:-1])}' is not a mapping")
    return tuple(keys)


def _key_in(node: Any, key: str) -> Any:
    """Mapping keys may be integers in YAML (years); match them from text."""
    if isinstance(node, dict) and key not in node and key.lstrip("-").isdigit():
        if int(key) in node:
            return int(key)
    return key


def _step(node: Any, key: str, walked: list[str], create: bool) -> Any:
    if isinstance(node, list):
        if not key.isdigit() or int(key) >= len(node):
            raise ScenarioError(
                f"--set {'.'.join(walked)}: '{key}' is not an index of that list "
                f"(0 to {len(node) - 1})"
            )
        return node[int(key)]
    if not isinstance(node, dict):
        raise ScenarioError(f"--set {'.'.join(walked)}: the part before '{key}' is not a mapping")
    key_found = _key_in(node, key)
    if key_found not in node and create:
        node[key_found] = {}
    return node[key_found]


def describe_errors(error: ValidationError, lines: dict[tuple[str, ...], Location],
                    overridden: Overridden = ()) -> str:
    """Turn pydantic's errors into one line per problem, each naming path, line and fix.

    A problem in a field a ``--set`` override set, inside it or around it, is located
    at that override ("--set download.usable_share=45"), not at the file it replaced.
    """
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(str(part) for part in item["loc"])
        cause = item.get("ctx", {}).get("error")
        if isinstance(cause, FieldError):
            loc = (*loc, *cause.path.split("."))
        path = ".".join(loc) or "(top level)"
        where = _set_by(loc, overridden) or _where(loc, lines)
        problems.append(f"{path}{where}: {_explain(item, loc)}")
    count = len(problems)
    head = f"the scenario has {count} problem{'s' if count > 1 else ''}:"
    return "\n".join([head, *(f"  - {p}" for p in problems)])


def _set_by(loc: tuple[str, ...], overridden: Overridden) -> str:
    """`` (--set ...)`` naming the overrides that set ``loc`` or one of its own fields.

    A problem inside what an override set is the override's; so is one a section finds
    between its own fields (``low`` above ``high``, ``filled_at_start`` above ``posts``)
    when an override set one of them.
    """
    texts = [text for keys, text in overridden if loc and (
        loc[:len(keys)] == keys or keys[:-1] == loc)]
    return f" ({', '.join(f'--set {text}' for text in dict.fromkeys(texts))})" if texts else ""


def _where(loc: tuple[str, ...], lines: dict[tuple[str, ...], Location]) -> str:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            file_name, line = lines[loc[:end]]
            return f" ({file_name}, line {line})"
    return ""


def _explain(item: Any, loc: tuple[str, ...]) -> str:
    kind = item["type"]
    given = item.get("input")
    if kind == "extra_forbidden":
        valid = fields_at(loc[:-1])
        hint = f"; valid keys here: {', '.join(valid)}" if valid else ""
        return f"unknown key '{loc[-1]}'{hint}"
    if kind == "missing":
        return "required but missing; add it (see scenarios/status_quo.yaml for an example)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _mapping_expected(loc, given)
    fraction = _percentage_hint(loc, given)
    if fraction is not None:
        return fraction
    message = str(item["msg"]).removeprefix("Value error, ")
    if kind.startswith("date_"):
        message += "; write dates as YYYY-MM-DD, e.g. 2024-01-31"
    if "input" in item and kind not in ("value_error", "assertion_error"):
        return f"{message} (got {_short(given)})"
    return message


FRACTIONS = ("fraction", "probability")
"""Units (by field name: ``_share``, ``_prob``) of numbers between 0 and 1, never percentages."""
ESTIMATE_NUMBERS = ("low", "value", "high")  # in the order they must stand


def _percentage_hint(loc: tuple[str, ...], given: Any) -> str | None:
    """For a fraction written as a percentage (45 for 0.45): the fraction meant, else None.

    Only where the numbers, the percentages divided by 100, then make fractions in their
    own order (low, value, high): 1.5 for a rise whose range is 0.1-0.6 is not 1.5 %.
    """
    names = [part for part in loc if not part.isdigit() and part not in ESTIMATE_NUMBERS]
    if not names or unit_of(names[-1]) not in FRACTIONS:
        return None
    if loc[-1] in ESTIMATE_NUMBERS:
        written = {loc[-1]: given}
    elif isinstance(given, dict):
        written = {part: given[part] for part in ESTIMATE_NUMBERS if part in given}
    else:
        written = {"value": given}
    numbers = {part: float(number) for part, number in written.items()
               if isinstance(number, int | float) and not isinstance(number, bool)}
    percentages = {part: number for part, number in numbers.items() if 1 < number <= 100}
    meant = {**numbers, **{part: number / 100 for part, number in percentages.items()}}
    ordered = [meant[part] for part in ESTIMATE_NUMBERS if part in meant]
    if not percentages or ordered != sorted(ordered) or max(ordered) > 1 or min(ordered) < 0:
        return None
    if list(percentages) == ["value"] or len(numbers) == 1:
        fix = f"{meant[next(iter(percentages))]:g}"
    else:
        fix = ", ".join(f"{part} {meant[part]:g}" for part in percentages)
    got = ", ".join(f"{number:g}" for number in percentages.values())
    return (f"this is a fraction between 0 and 1, not a percentage: did you mean {fix}? "
            f"(got {got})")


def _mapping_expected(loc: tuple[str, ...], given: Any) -> str:
    """A value where a section belongs: the section's shape, the value placed in it."""
    message = f"must be a mapping of keys to values (got {_short(given)})"
    if _percentage_hint(loc, given) is not None:  # 45 for a share: place 0.45 and say why
        return (f"{message}{_shape_hint(loc, given / 100)}; a fraction between 0 and 1, "
                "not a percentage")
    return f"{message}{_shape_hint(loc, given)}"


def _shape_hint(loc: tuple[str, ...], given: Any) -> str:
    """The mapping a section expects, with ``given`` in its one required field if it has one."""
    model = model_at(loc)
    if model is None or not loc:
        return ""
    if issubclass(model, Estimate):
        value = _short(given) if isinstance(given, int | float) else "..."
        return (f"; write {loc[-1]}: {{value: {value}, source: \"where it is published\"}} or "
                f"{{value: {value}, low: ..., high: ..., assumption: \"why\"}} (in a file that "
                f"extends another, {{value: {value}}} keeps the parent's range and note)")
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    optional = [name for name in _written_fields(model) if name not in required]
    if not required:
        return f"; write {loc[-1]} as a mapping of any of: {', '.join(optional)}"
    if len(required) == 1 and _takes_a_scalar(model, required[0]) and not isinstance(
            given, dict | list):
        inside = f"{required[0]}: {_short(given)}"
    else:
        inside = ", ".join(f"{name}: ..." for name in required)
    extra = f" (and optionally {', '.join(optional)})" if optional else ""
    return f"; write {loc[-1]}: {{{inside}}}{extra}"


def _short(value: Any) -> str:
    if _larger_than(value, 100):  # e.g. nested YAML aliases: never spell out a huge value
        kind = "mapping" if isinstance(value, dict) else "list"
        return f"a {kind} of {len(value)} entries, too large to show"
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _larger_than(value: Any, budget: int) -> bool:
    """True if ``value`` holds more than ``budget`` items, nested ones included (stops early)."""
    stack, count = [value], 0
    while stack:
        item = stack.pop()
        count += 1
        if count > budget:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def _takes_a_scalar(model: type[BaseModel], name: str) -> bool:
    """Whether a field holds a plain value (a number, text, date), not a section or a list."""
    annotation = _unwrap(model.model_fields[name].annotation)
    if typing.get_origin(annotation) is not None:
        return False
    return not (isinstance(annotation, type) and issubclass(annotation, BaseModel))


def fields_at(loc: tuple[str, ...]) -> list[str]:
    """Names of the fields valid at a dotted location of the schema (empty if unknown)."""
    model = model_at(loc)
    return [] if model is None else _written_fields(model)


def _written_fields(model: type[BaseModel]) -> list[str]:
    """The fields a scenario file may give (not those the loader fills in, such as counts)."""
    return [name for name, field in model.model_fields.items() if not field.exclude]


def model_at(loc: tuple[str, ...]) -> type[BaseModel] | None:
    """The schema section (model) at a dotted location, or None if it is not one."""
    annotation: Any = Scenario
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) in (dict, tuple, list):
            annotation = typing.get_args(annotation)[-1 if typing.get_origin(annotation)
                                                       is dict else 0]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] to the type underneath."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = options[0]
        else:
            return annotation


SCHEMA_FILE = "scenario.schema.json"
"""The JSON Schema shipped beside the scenarios, named in each file's first line."""
SCHEMA_MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"
"""The first line of a shipped scenario file: editors that check YAML use the schema."""
OVERLAY = "Overlay"


def json_schema() -> dict[str, Any]:
    """The scenario files' JSON Schema, for editors that check YAML as it is typed.

    A file that ``extends`` another (an overlay) gives only what it changes, so nothing
    is required in it; a file that extends nothing must be whole.  Either way an
    unknown key or a value of the wrong type is marked, as the run command refuses it.
    """
    whole = Scenario.model_json_schema()
    definitions = whole.pop("$defs", {})
    extends = {"type": "string",
               "description": "a parent scenario file (relative path) whose values this one "
                              "overrides"}
    whole["properties"]["extends"] = extends
    overlay = _overlay(copy.deepcopy(whole))
    overlay_definitions = {f"{name}{OVERLAY}": _overlay(copy.deepcopy(definition))
                           for name, definition in definitions.items()}
    return {
        "title": "MICAC planner scenario",
        "description": "A scenario file: whole, or an overlay that extends another file and "
                       "gives only what it changes.",
        "type": "object",
        "if": {"required": ["extends"]},
        "then": {"$ref": f"#/$defs/Scenario{OVERLAY}"},
        "else": {"$ref": "#/$defs/Scenario"},
        "$defs": {**definitions, **overlay_definitions, "Scenario": whole,
                  f"Scenario{OVERLAY}": overlay},
    }


def _overlay(node: Any) -> Any:
    """The same schema with nothing required, every reference pointing at overlay parts."""
    if isinstance(node, dict):
        node.pop("required", None)
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            node["$ref"] = reference + OVERLAY
        for value in node.values():
            _overlay(value)
    elif isinstance(node, list):
        for value in node:
            _overlay(value)
    return node
