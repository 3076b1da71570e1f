"""Safe YAML reading: size cap, safe loader, duplicate keys reported, bad text reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from appraise.errors import InputError

MAX_FILE_BYTES = 10 * 1024 * 1024


class _StrictSafeLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses duplicate keys instead of keeping the last one silently."""


def _construct_mapping(
    loader: _StrictSafeLoader, node: yaml.MappingNode, deep: bool = False
) -> Any:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (dict, list)):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_StrictSafeLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a BOM is allowed) within the size cap."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                path, "", f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "", "is a folder, expected a file") from None
    except PermissionError:
        raise InputError(path, "", "permission denied") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            path,
            f"line {line}, column {column}",
            f"byte 0x{data[exc.start]:02x} is not UTF-8 text (save the file as UTF-8)",
        ) from None


def read_yaml(path: Path) -> Any:
    """Parse a YAML file with the safe loader; every failure is an ``InputError``."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_StrictSafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in problem:
            problem = (
                f"tag {problem.split('tag')[-1].strip()} is not allowed (only plain YAML data)"
            )
        raise InputError(path, where, problem) from None
    except yaml.YAMLError as exc:
        raise InputError(path, "", f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(path, "", "YAML is nested too deeply") from None
