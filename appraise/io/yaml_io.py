"""Safe reading of YAML files (and JSON, a subset of YAML): every failure is an ``InputError``.

Guards, each with a message naming the file and the line and column:

- size: a YAML file over 10 MB, or a JSON file over 64 MB, is refused before it is parsed;
- text: UTF-8 only (a byte-order mark is allowed); control characters are refused;
- structure, checked while the YAML is composed, before any Python object is built: at most
  50 levels of nesting, at most 100 aliases (``*name``), and at most 100,000 values reached
  through aliases, so an alias bomb ("billion laughs") is refused in milliseconds;
- construction: only plain data (no ``!!python`` tags), duplicate keys refused instead of the
  last one silently winning, numbers of at most 300 digits, impossible dates refused.

The limits are in ``appraise.model`` with the others. JSON files (``.json``) are read with
Python's ``json`` module, about 50 times faster than YAML, for very large generated files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from appraise.errors import InputError, Refused
from appraise.io.faults import reading
from appraise.io.yaml_errors import explain
from appraise.limits import (
    MAX_ALIASED_VALUES,
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_GUARDED_VALUES,
    MAX_JSON_BYTES,
    MAX_JSON_VALUES,
    MAX_SCORES,
    MAX_YAML_BYTES,
    MAX_YAML_VALUES,
)
from appraise.messages import dash_hint
from appraise.safe_text import cut

JSON_SUFFIXES = (".json",)


_TOO_DEEP = (
    f"lists and mappings nested more than {MAX_DEPTH} levels deep; appraise allows {MAX_DEPTH}"
)


class _GuardedComposer(Composer):
    """PyYAML's composer, counting nesting and aliases as it goes.

    An alias bomb needs no more than a few dozen aliases, each naming a list of the one before,
    so the count of aliases alone does not stop one: the values each alias stands for are
    counted too (an anchor's size is known once it is composed), and the file is refused as soon
    as either count passes its limit, before any of it is expanded.
    """

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._aliases = 0
        self._aliased = 0
        self._values = 0
        self._sizes: dict[str, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _refused(
                    f"too many YAML aliases (*references to &anchors); appraise allows "
                    f"{MAX_ALIASES}",
                    event,
                )
            size = self._sizes.get(str(event.anchor), 1)
            self._aliased += size
            self._values += size
            if self._aliased > MAX_ALIASED_VALUES:
                raise _refused(
                    f"YAML aliases (*references to &anchors) here repeat more than "
                    f"{MAX_ALIASED_VALUES:,} values; appraise refuses alias bombs",
                    event,
                )
            return super().compose_node(parent, index)
        opens = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
        if opens and self._depth >= MAX_DEPTH:
            raise _refused(_TOO_DEEP, event)
        self._depth += opens
        before = self._values
        self._values += 1
        if self._values > MAX_GUARDED_VALUES:
            raise _refused(
                f"more than {MAX_GUARDED_VALUES:,} values (keys, names, scores) in a YAML file "
                "with anchors, aliases or tags, which would take minutes to read; write it "
                "without them, or as JSON (the same structure, named .json)",
                event,
            )
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= opens
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._sizes[str(anchor)] = self._values - before
        return node


class _OverLimit(ComposerError):
    """A guard's refusal: the file as a whole is refused (``Refused``), not merely mistaken."""


def _refused(problem: str, event: Any) -> ComposerError:
    return _OverLimit(None, None, problem, event.start_mark)


class _StrictConstructor(SafeConstructor):
    """``SafeConstructor`` that refuses duplicate keys, huge numbers and impossible values."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # int('9' * 5000), date(2024, 13, 45)
            raise ConstructorError(
                None,
                None,
                f"cannot read {_value_of(node)}: {_first_sentence(exc)}",
                node.start_mark,
            ) from None


def _value_of(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        text = repr(node.value)
        return text if len(text) <= 40 else text[:37] + "..."
    return "this value"


def _first_sentence(exc: BaseException) -> str:
    return str(exc).split(";")[0]


def _construct_int(loader: Any, node: yaml.ScalarNode) -> Any:
    text = str(node.value)
    if len(text) > MAX_DIGITS:
        raise ConstructorError(
            None,
            None,
            f"a number {len(text):,} characters long; appraise allows {MAX_DIGITS}",
            node.start_mark,
        )
    return SafeConstructor.construct_yaml_int(loader, node)


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:  # a list, mapping or !!set as a key
            raise ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in seen:
            raise ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})"
                + dash_hint([key]),
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_StrictConstructor.add_constructor(Resolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictConstructor.add_constructor("tag:yaml.org,2002:int", _construct_int)


def too_small(text: str) -> str:
    """The message for a number too small for a double, which Python would read as 0."""
    return (
        f"the number {cut(text)} is too small to hold (it would be read as 0); write 0, or a "
        "number no smaller than 1e-300 in size"
    )


def _underflows(text: str, value: float) -> bool:
    """Whether ``text`` is a nonzero number that ``float`` read as 0."""
    return value == 0 and re.search("[1-9]", re.split("[eE]", text)[0]) is not None


def _construct_float(loader: Any, node: yaml.ScalarNode) -> Any:
    value = SafeConstructor.construct_yaml_float(loader, node)
    if isinstance(value, float) and _underflows(str(node.value), value):
        raise ConstructorError(None, None, too_small(str(node.value)), node.start_mark)
    return value


_StrictConstructor.add_constructor("tag:yaml.org,2002:float", _construct_float)


class _MemoResolver(Resolver):
    """PyYAML's resolver, remembering the tags of short plain values it has already seen.

    A large file repeats the same few values (a score of 3, a leaf id) millions of times; this
    spares running the resolver's regular expressions on each.
    """

    def __init__(self) -> None:
        super().__init__()
        self._memo: dict[tuple[str, Any], str] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode or len(value) > 32:
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return,no-untyped-call]
        key = (value, implicit)
        tag = self._memo.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(self._memo) < 10_000:
                self._memo[key] = tag
        return tag


class _PyLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    _GuardedComposer,
    _StrictConstructor,
    _MemoResolver,
):
    """The guarded loader on PyYAML's pure-Python parser."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _GuardedComposer.__init__(self)
        _StrictConstructor.__init__(self)
        _MemoResolver.__init__(self)


_LOADER: type = _PyLoader
if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _CLoader(_GuardedComposer, CParser, _StrictConstructor, _MemoResolver):
        """The guarded loader on libyaml's parser, about three times faster.

        libyaml reads the events; the guarded composer above builds the nodes from them.
        """

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _GuardedComposer.__init__(self)
            _StrictConstructor.__init__(self)
            _MemoResolver.__init__(self)

    _LOADER = _CLoader


class _Fallback(Exception):
    """What the fast reader leaves to the guarded one: anchors, aliases, tags, odd keys."""


_PLAIN_TAGS = {None, "!"}  # no tag written: the resolver decides
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_PENDING = object()  # no key read yet in the open mapping


class _Builder:
    """Plain data from libyaml's events, with the guarded loader's checks and messages.

    Scalars are resolved and built by the guarded loader's own resolver and constructor, once
    per distinct short text (a scores file repeats a few); a duplicate key, a number too long,
    nesting too deep and too many values are refused here in the guarded loader's words, at the
    same line and column.
    """

    def __init__(self) -> None:
        self.helper = _PyLoader("")
        resolvers = self.helper.yaml_implicit_resolvers
        assert None not in resolvers  # no resolver for every first character (PyYAML's own)
        self.starts = frozenset(resolvers)  # first characters of a number, bool, null, date
        self.memo: dict[tuple[str, Any], Any] = {}
        self.stack: list[Any] = []  # open containers
        self.keys: list[Any] = []  # the pending key of each (``_PENDING`` for none, or a list)
        self.lines: list[dict[Any, int] | None] = []  # each open mapping's keys: first line
        self.root: Any = None
        self.values = 0

    def scalar(self, event: Any) -> Any:
        value = event.value
        if not (event.implicit[0] and (not value or value[0] in self.starts)):
            return value  # quoted, or no implicit tag starts so: text, as the resolver says
        short = len(value) <= 32
        if short:
            found = self.memo.get((value, event.implicit), _PENDING)
            if found is not _PENDING:
                return found
        tag = self.helper.resolve(yaml.ScalarNode, value, event.implicit)
        if tag == _MERGE:
            raise _Fallback
        built = (
            value
            if tag == _STR
            else self.helper.construct_object(
                yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
            )
        )
        if short and len(self.memo) < 10_000:  # the few values a file repeats, not every key
            self.memo[(value, event.implicit)] = built
        return built

    def add(self, value: Any, event: Any) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if type(top) is list:
            top.append(value)
            return
        key = self.keys[-1]
        if key is not _PENDING:
            top[key] = value
            self.keys[-1] = _PENDING
            return
        if type(value) in (dict, list):
            raise _Fallback  # a mapping or list as a key: the guarded loader says so
        lines = self.lines[-1]
        assert lines is not None
        if value in lines:
            raise ConstructorError(
                None,
                None,
                f"duplicate key {value!r} (first at line {lines[value] + 1})" + dash_hint([value]),
                event.start_mark,
            )
        lines[value] = event.start_mark.line
        self.keys[-1] = value

    def count(self, event: Any) -> None:
        self.values += 1
        if self.values > MAX_YAML_VALUES:
            raise _refused(
                f"more than {MAX_YAML_VALUES:,} values (keys, names, scores) in a YAML file; "
                "write a file this large as JSON (the same structure, named .json)",
                event,
            )


def _fast_load(text: str) -> Any:
    """The document as plain data, built straight from libyaml's events.

    No node graph is composed (the guarded loader's composer runs in Python, about six times
    slower). Anchors, aliases, explicit tags, merge keys, a mapping as a key and a second
    document raise ``_Fallback``: the guarded loader reads those files, with its alias-bomb
    guards. Errors are raised as the guarded loader raises them, so messages are the same.
    """
    from yaml._yaml import CParser

    build = _Builder()
    parser = CParser(text)
    scalar_event, mapping_start, sequence_start = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.SequenceStartEvent,
    )
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    documents = 0
    try:
        while True:
            event: Any = parser.get_event()
            kind = type(event)
            if kind is scalar_event:
                build.count(event)
                if event.anchor is not None or event.tag not in _PLAIN_TAGS:
                    raise _Fallback
                build.add(build.scalar(event), event)
            elif kind is mapping_start or kind is sequence_start:
                build.count(event)
                if event.anchor is not None or event.tag not in _PLAIN_TAGS:
                    raise _Fallback
                if len(build.stack) >= MAX_DEPTH:
                    raise _refused(_TOO_DEEP, event)
                mapping = kind is mapping_start
                container: Any = {} if mapping else []
                build.add(container, event)
                build.stack.append(container)
                build.keys.append(_PENDING)
                build.lines.append({} if mapping else None)
            elif kind in ends:
                build.stack.pop()
                build.keys.pop()
                build.lines.pop()
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Fallback
            elif kind is yaml.StreamEndEvent:
                return build.root
            elif kind is yaml.AliasEvent:
                raise _Fallback
    finally:
        build.helper.dispose()


def read_text(path: Path, limit: int = MAX_YAML_BYTES) -> str:
    """Read a UTF-8 text file (a BOM is allowed) within the size cap."""
    with reading(path):
        size = path.stat().st_size
        if size > limit:
            raise Refused(path, "", f"file is {size:,} bytes; the limit is {limit:,} bytes")
        with path.open("rb") as stream:
            data = stream.read(limit + 1)  # a file may grow, or lie about its size (/proc)
    if len(data) > limit:
        raise InputError(path, "", f"file is over {limit:,} bytes; the limit is {limit:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            _line_column(data, exc.start),
            f"byte 0x{data[exc.start]:02x} is not UTF-8 text (save the file as UTF-8)",
        ) from None


def _line_column(text: str | bytes, offset: int) -> str:
    newline: Any = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(newline, 0, offset) + 1
    column = offset - (text.rfind(newline, 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def is_json(path: Path) -> bool:
    """Whether a file is read as JSON (by its suffix) rather than YAML."""
    return path.suffix.lower() in JSON_SUFFIXES


def read_yaml(path: Path) -> Any:
    """Parse a YAML (or JSON) file safely; every failure is an ``InputError``."""
    if is_json(path):
        return read_json(path)
    text = read_text(path)
    try:
        if _LOADER is not _PyLoader:
            try:
                return _fast_load(text)
            except _Fallback:
                pass  # anchors, aliases, tags: the guarded loader reads the file
        loader = _LOADER(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        tag = re.search(r"could not determine a constructor for the tag '([^']*)'", problem)
        if tag:
            shown = tag.group(1).replace("tag:yaml.org,2002:", "!!")
            problem = f"tag '{shown}' is not allowed (only plain YAML data)"
        if isinstance(exc, _OverLimit):
            raise Refused(path, where, problem) from None
        where, problem = explain(exc, text) or (where, problem)
        raise InputError(path, where, problem) from None
    except yaml.reader.ReaderError:
        found = yaml.reader.Reader.NON_PRINTABLE.search(text)
        offset = found.start() if found else 0
        character = f"U+{ord(text[offset]):04X}" if found else "a character"
        raise InputError(
            path,
            _line_column(text, offset),
            f"character {character} is not allowed in YAML (a control character, not text)",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(path, "", f"invalid YAML: {exc}") from None


class KeyLines:
    """The line of a key in a YAML file, found by reading the file again when an error needs it.

    Only a few findings need a line (an unknown key, often one dedented out of its mapping), so
    the loader keeps no marks while reading; the file is composed again, once, on the first
    call. JSON files (up to 64 MB, generated) are not: their findings keep the YAML path alone.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._root: yaml.Node | None = None
        self._read = is_json(path)

    def _compose(self) -> yaml.Node | None:
        try:
            loader = _LOADER(read_text(self._path))
            try:
                return loader.get_single_node()  # type: ignore[no-any-return]
            finally:
                loader.dispose()
        except (InputError, yaml.YAMLError):  # changed since it was read: no line, no harm
            return None

    def __call__(self, loc: tuple[int | str, ...]) -> int | None:
        """The 1-based line of the key (or list item) at ``loc``, None when not found."""
        if not self._read:
            self._read = True
            self._root = self._compose()
        node, line = self._root, None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                pair = next((p for p in node.value if p[0].value == str(part)), None)
                if pair is None:
                    return None
                line, node = pair[0].start_mark.line + 1, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return None
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return None
        return line


class _Duplicate(dict[str, Any]):
    """A JSON object that had a key twice; kept so the error can say where."""

    key: str


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) == len(pairs):
        return data
    duplicate = _Duplicate(data)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            duplicate.key = key
            break
        seen.add(key)
    return duplicate


def _json_int(text: str) -> int | float:
    # Python refuses int() on over 4,300 digits; a long number becomes inf, refused as not finite.
    return int(text) if len(text) <= MAX_DIGITS else float(text)


def _parse_json(text: str) -> Any:
    """``json.loads`` keeping duplicate keys to report; a number too long for ``int`` is inf.

    The integer hook costs as much as the parse itself, so it is used only on a second try,
    after Python has refused an integer of over 4,300 digits.
    """
    try:
        return json.loads(text, object_pairs_hook=_json_object)
    except json.JSONDecodeError:
        raise
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return json.loads(text, object_pairs_hook=_json_object, parse_int=_json_int)


_CONTAINERS = frozenset({dict, list, _Duplicate})  # the types json.loads makes that hold others


def _problem_in(data: Any) -> tuple[str, str] | None:
    """The first place (YAML path) nested too deeply or holding a duplicate key, and why."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            return where, (
                f"lists and mappings nested more than {MAX_DEPTH} levels deep; "
                f"appraise allows {MAX_DEPTH}"
            )
        if isinstance(value, _Duplicate):
            return where, f"duplicate key {value.key!r}"
        if isinstance(value, dict):
            if _CONTAINERS.isdisjoint(map(type, value.values())):
                continue  # a row of numbers: one pass in C, not an isinstance per value
            children = [
                (f"{where}.{k}" if where else k, v)
                for k, v in value.items()
                if isinstance(v, (dict, list))
            ]
        elif isinstance(value, list):
            if _CONTAINERS.isdisjoint(map(type, value)):
                continue
            children = [
                (f"{where}[{i}]", v) for i, v in enumerate(value) if isinstance(v, (dict, list))
            ]
        else:
            continue
        stack.extend((v, w, depth + 1) for w, v in reversed(children))
    return None


_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')


def _too_deep_at(text: str) -> int:
    depth = 0
    for token in _JSON_NESTING.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return token.start()
        elif bracket in "]}":
            depth -= 1
    return 0


_JSON_TINY = re.compile(r'"(?:[^"\\]|\\.)*"|(-?\d+(?:\.\d+)?[eE]-\d{3,})')


def _tiny_number(text: str) -> re.Match[str] | None:
    """The first number in JSON text too small for a double (``1e-999``), which parses as 0.

    Looked for only when an exponent of -100 or below is there at all (a quick search in C);
    strings are skipped, so a note quoting ``1e-999`` is not a number.
    """
    if not re.search(r"[eE]-\d{3}", text):
        return None
    for match in _JSON_TINY.finditer(text):
        number = match.group(1)
        if number is not None and _underflows(number, float(number)):
            return match
    return None


def read_json(path: Path) -> Any:
    """Parse a JSON file with the same guards as YAML: duplicate keys, depth, huge numbers."""
    text = read_text(path, MAX_JSON_BYTES)
    if not text.strip():
        return None
    # Every value after the first follows a ',' or opens a '{' or '[': counted in C in a blink,
    # before Python builds an object for each (20 million '{}' took minutes and 7 GB). Commas
    # inside strings make the count high, never low.
    values = text.count(",") + text.count("{") + text.count("[")
    if values > MAX_JSON_VALUES:
        raise Refused(
            path,
            "",
            f"holds about {values:,} values (keys, names, scores); appraise reads at most "
            f"{MAX_JSON_VALUES:,} in a file (room for {MAX_SCORES:,} scores)",
        )
    try:
        data = _parse_json(text)
    except json.JSONDecodeError as exc:
        message = exc.msg
        if exc.pos == len(text) - len(text.lstrip()) and text.lstrip()[:1] not in ("{", "["):
            message += (
                f": a JSON file starts with '{{' or '['; if it holds YAML, rename it to "
                f"'{path.stem}.yaml'"
            )
        raise InputError(path, f"line {exc.lineno}, column {exc.colno}", message) from None
    except RecursionError:
        raise InputError(
            path,
            _line_column(text, _too_deep_at(text)),
            f"lists and mappings nested more than {MAX_DEPTH} levels deep; "
            f"appraise allows {MAX_DEPTH}",
        ) from None
    tiny = _tiny_number(text)
    if tiny is not None:
        raise InputError(path, _line_column(text, tiny.start()), too_small(tiny.group(1)))
    found = _problem_in(data)
    if found is not None:
        where, problem = found
        if problem.startswith("lists"):
            where = _line_column(text, _too_deep_at(text))
        raise InputError(path, where, problem)
    return data
