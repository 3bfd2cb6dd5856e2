"""A safe YAML reader for scenario and sweep files: PyYAML's SafeLoader (no Python tags) plus
three refusals that SafeLoader lacks, each naming the line:

- a key given twice in one mapping (SafeLoader silently keeps the last);
- nesting deeper than :data:`MAX_DEPTH` (hundreds of ``[[[...`` used to end in a
  RecursionError traceback);
- a document that, with its aliases expanded, has more than :data:`MAX_NODES` nodes (a
  "billion laughs" of anchors and aliases would expand beyond memory in the checks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from territory_opt.domain.errors import InputError

#: deeper than any scenario (call_patterns.<role>.<tier>[].<key> is 5 levels)
MAX_DEPTH = 32
#: far more values than a scenario or sweep file holds
MAX_NODES = 100_000


class SafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, deep nesting and alias bombs."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.YAMLError(f"line {mark.line + 1}: nested more than {MAX_DEPTH} "
                                     "levels deep")
            return super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self._depth -= 1

    def compose_document(self) -> Any:
        node = super().compose_document()  # type: ignore[no-untyped-call]
        if node is not None and _expanded_size(node, {}) > MAX_NODES:
            raise yaml.YAMLError(f"the document expands to more than {MAX_NODES:,} values "
                                 "(anchors and aliases repeated inside each other)")
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: SafeLoader reports it below
                continue
            if first is not None:
                raise yaml.YAMLError(f"line {key_node.start_mark.line + 1}: the key '{key}' "
                                     f"is given twice (first on line {first}); keep one")
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Nodes of the document with every alias expanded (shared nodes counted once each time
    they are referenced), capped just above MAX_NODES."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_NODES + 1  # a cycle (a recursive alias) counts as too big
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(item, memo)
            if size > MAX_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo) + _expanded_size(v, memo)
            if size > MAX_NODES:
                break
    memo[key] = min(size, MAX_NODES + 1)
    return memo[key]


def read_yaml(path: Path, loader: type[SafeLoader] = SafeLoader) -> Any:
    """The YAML document of ``path`` (UTF-8); every problem is an InputError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not valid YAML: the file is not UTF-8 text", file=str(path)) from None
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror or err}", file=str(path)) from None
    if "\x00" in text:
        raise InputError("not valid YAML: the file holds a NUL byte", file=str(path))
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as err:
        raise InputError(f"not valid YAML: {err}", file=str(path)) from None
    except RecursionError:
        raise InputError(f"not valid YAML: nested more than {MAX_DEPTH} levels deep",
                         file=str(path)) from None
