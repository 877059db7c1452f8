"""Project evidence items to the fields the policies may read, before the engine holds them.

The engine's input tree is about 3.3x the JSON it is given; fields no policy reads cost memory and
``set_input`` time for nothing. Usage::

    projection = projection_for(policies.runtime, controls_reading)
    items = projection.project("deployments", items)

The rule is conservative, from the policies' tokens (pygments' Rego lexer, as the lint reads them):

* a **top-level** field of an item is kept when its name appears anywhere in the policies' code as a
  name (``d.service``, a rule or variable called ``service``) or inside a string literal
  (``object.get(d, "service", "")``, ``x["service"]``), or as a string in the controls' parameters
  (a key a policy could look up from ``data.params``); nested values are kept whole;
* a kind is kept **whole** (no field dropped) when a policy that may see it uses an item in a way
  that observes fields it does not name: ``object.keys`` (except the membership test
  ``"name" in object.keys(x)``), ``object.remove``/``filter``/``union``/``union_n``/``subset``,
  ``json.marshal``, ``yaml.marshal``, ``json.patch``, ``walk``, or ``sprintf``/``format`` with ``%v``
  of a bare variable. A library package (``lib.*``), seen by every control, affects every kind.

Item ids are kept (``id`` is a name every policy uses) and unique within a kind, so items stay
distinct and sets or comparisons of whole items judge as before. What the rule cannot see is a key
computed at run time from something other than a literal or a parameter (``concat``, ``sprintf``)
or iteration over an item's own keys (``some k, v in item``); no bundled policy does either, and
``tests/evidence/test_projection.py`` evaluates the demo and every fixture with and without the
projection (:data:`NONE`) and asserts identical results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.policies import PolicySource, string_literal

#: builtins that see every key of an object they are given (``object.union``/``remove`` only build
#: objects: what later reads them by name, or observes them whole, is checked where that happens)
OPAQUE_CALLS = frozenset({
    "object.keys", "object.filter", "object.subset", "json.marshal", "json.marshal_with_options",
    "yaml.marshal", "json.patch", "walk",
})
_FORMATTERS = frozenset({"sprintf", "format"})
#: fields Auditor's own Python code reads from the items given to the engine (the waivers' identity
#: directory, :func:`auditor.waivers.people_for`): always kept
PYTHON_READS = frozenset({"id", "person", "emails", "username"})
#: kinds Auditor's own Python code reads whole from the evidence it evaluated (the attestations behind
#: results.json ``coverage``, :func:`auditor.mappings.attestations.attestations_in`): never projected
PYTHON_KINDS = frozenset({"attestations"})
#: builtins whose value is a number, string or boolean: printing it shows no field of an item
SCALAR_CALLS = frozenset({
    "count", "sum", "product", "round", "floor", "ceil", "abs", "lower", "upper", "concat", "sprintf",
    "format_int", "trim", "trim_space", "trim_prefix", "trim_suffix", "trim_left", "trim_right", "replace",
    "substring", "to_number", "contains", "startswith", "endswith", "indexof", "is_number", "is_string",
    "is_boolean", "is_array", "is_set", "is_object", "is_null", "type_name", "units.parse",
    "units.parse_bytes", "regex.match", "time.parse_rfc3339_ns", "time.parse_ns", "time.parse_duration_ns",
    "time.add_date", "time.format", "time.date", "time.clock", "time.weekday", "strings.any_prefix_match",
    "strings.any_suffix_match", "numbers.range", "numbers.range_step", "split", "regex.split", "semver.compare",
    "semver.is_valid",
})
#: builtins returning one element of the collection they are given
_ELEMENT_CALLS = frozenset({"min", "max", "union", "intersection"})
#: builtins returning a collection of their arguments' elements (or members)
_SAME_CALLS = frozenset({"sort", "array.concat", "array.slice", "array.reverse", "object.union", "object.remove",
                         "object.filter", "object.union_n", "json.filter", "json.remove"})
#: builtins returning a collection whose elements are elements of their first N arguments (concatenated,
#: reordered or cut, each left as it was): -> N
_ELEMENTS_OF = {"array.concat": 2, "sort": 1, "array.reverse": 1, "array.slice": 1}
_COMPARISONS = frozenset({"==", "!=", "<", ">", "<=", ">=", "in"})
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%"})
_BINDING_KEYWORDS = frozenset({"some", "every"})
#: item depths: none (a scalar, or values built from scalars), and "anything" (the scan cannot tell)
_NONE_DEEP: frozenset[int] = frozenset()
_TOP: frozenset[int] = frozenset(range(4))


def _deeper(depths: frozenset[int]) -> frozenset[int]:
    return frozenset(d + 1 for d in depths)


def _shallower(depths: frozenset[int], levels: int) -> frozenset[int]:
    """What a field or element ``levels`` down holds (a value inside an item is no item)."""
    return frozenset(d - levels for d in depths if d - levels >= 0)


#: how deep function definitions are followed when deciding whether a value printed with %v is scalar
_MAX_FOLLOW = 40


@dataclass(frozen=True)
class Projection:
    """The top-level fields kept for every kind, except the kinds kept whole."""

    fields: frozenset[str]
    whole: frozenset[str]
    #: kind kept whole -> why (``path: line N: ...``), for ``docs/scaling.md`` and the bench
    reasons: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    #: False: every item is kept as collected (:data:`NONE`)
    active: bool = True

    def keeps_whole(self, kind: str) -> bool:
        return not self.active or kind in self.whole or kind in PYTHON_KINDS

    def covers(self, other: Projection) -> bool:
        """Items projected by this projection hold every field ``other`` keeps."""
        if not self.active:
            return True
        if not other.active:
            return False
        return self.fields >= other.fields and self.whole >= other.whole

    def project(self, kind: str, items: list[Any]) -> list[Any]:
        """``items`` with the fields no policy reads removed (the same list when the kind is kept whole)."""
        if self.keeps_whole(kind):
            return items
        fields = self.fields
        return [
            {key: value for key, value in item.items() if key in fields} if isinstance(item, dict) else item
            for item in items
        ]

    def prune(self, kind: str, items: list[Any]) -> list[Any]:
        """:meth:`project`, in place: each item loses the fields no policy reads (for items nothing else
        holds; a third faster than copying them, and no second copy of every item)."""
        if self.keeps_whole(kind):
            return items
        fields = self.fields
        for item in items:
            if isinstance(item, dict):
                for key in item.keys() - fields:
                    del item[key]
        return items

    def dropped(self, kind: str, items: Iterable[Any]) -> set[str]:
        """The field names of ``items`` the projection drops (for reports and tests)."""
        if self.keeps_whole(kind):
            return set()
        return {key for item in items if isinstance(item, dict) for key in item if key not in self.fields}


NONE = Projection(frozenset(), frozenset(), active=False)


@dataclass(frozen=True)
class _Scan:
    names: frozenset[str]
    opaque: tuple[str, ...]  # why the source observes whole objects (empty: it does not)


class _Source:
    """The tokens of one policy, with nesting depths, statement spans and definitions."""

    def __init__(self, text: str, libraries: Mapping[str, _Source] | None = None) -> None:
        from pygments.lexers.rego import RegoLexer
        from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Whitespace

        self.Name, self.Keyword, self.Number, self.String = Name, Keyword, Number, String
        self.Operator, self.Punctuation = Operator, Punctuation
        tokens = []
        line_start = True
        self.lines: list[int] = []
        line = 1
        for kind, value in RegoLexer(stripnl=False, ensurenl=False).get_tokens(text):
            if kind in Comment or kind in Whitespace or value.isspace():
                line_start = line_start or "\n" in value
                line += value.count("\n")
                continue
            tokens.append((kind, value, line_start))
            self.lines.append(line)
            line += value.count("\n")
            line_start = False
        self.tokens = tokens
        #: import alias -> the library package's source (``import data.lib.time`` -> ``time``)
        self.libraries: Mapping[str, _Source] = libraries or {}
        #: sources calling this one's functions (a library's controls), with the alias they import it as
        self.callers: list[tuple[_Source, str]] = []
        #: function definition (its statement's start) -> item depths of each argument of the call
        #: being followed into it
        self.bindings: dict[int, list[frozenset[int]]] = {}
        self._memo: dict[Any, frozenset[int]] = {}
        depth, self.depth = 0, []
        for kind, value, _ in tokens:
            if kind in Punctuation and value in ")]}":
                depth = max(0, depth - 1)
            self.depth.append(depth)
            if kind in Punctuation and value in "([{":
                depth += 1
        # statements: a depth-0 token first on its line starts one, unless it continues the last
        self.statements: list[tuple[int, int]] = []
        begin = 0
        for n in range(1, len(tokens)):
            kind, value, first = tokens[n]
            prev = tokens[n - 1]
            if self.depth[n] == 0 and first and value != "else" and value not in ")]}" and not (
                prev[0] in Operator or prev[1] in {"if", "else", "contains", "in", ",", "|"}
            ):
                self.statements.append((begin, n))
                begin = n
        self.statements.append((begin, len(tokens)))
        #: definitions (their statement's start) whose value expression is one member of the rule's value
        #: (``name contains x``, ``name[k] := x``), not the whole value
        self.members: set[int] = set()
        # name -> [(statement, index where its value expression starts)]
        self.defs: dict[str, list[tuple[tuple[int, int], int | None]]] = {}
        for span in self.statements:
            head = span[0] + (1 if tokens[span[0]][1] == "default" else 0)
            if head >= span[1] or tokens[head][0] not in Name:
                continue
            name, after = self.dotted(head)
            if self.punct(after, "("):
                after = self.close(after) + 1
            value = None
            if self.punct(after, "["):  # a partial object ``name[key] := value``: a value of the rule
                after = self.close(after) + 1
                self.members.add(span[0])
            if after < span[1] and tokens[after][1] in {":=", "="}:
                value = after + 1
            elif after < span[1] and tokens[after][1] == "contains":  # a partial set: an element of it
                value = after + 1
                self.members.add(span[0])
            self.defs.setdefault(name, []).append((span, value))

    def line_of(self, n: int) -> int:
        return self.lines[n] if 0 <= n < len(self.lines) else 0

    def punct(self, n: int, value: str) -> bool:
        return 0 <= n < len(self.tokens) and self.tokens[n][0] in self.Punctuation and self.tokens[n][1] == value

    def is_name(self, n: int) -> bool:
        return 0 <= n < len(self.tokens) and (self.tokens[n][0] in self.Name or self.tokens[n][0] in self.Keyword)

    def dotted(self, n: int) -> tuple[str, int]:
        """The dotted name starting at token n and the index after it."""
        parts = [self.tokens[n][1]]
        n += 1
        while self.punct(n, ".") and self.is_name(n + 1):
            parts.append(self.tokens[n + 1][1])
            n += 2
        return ".".join(parts), n

    def close(self, n: int) -> int:
        """The index of the bracket closing the one at n."""
        for m in range(n + 1, len(self.tokens)):
            if self.depth[m] == self.depth[n] and self.tokens[m][0] in self.Punctuation and self.tokens[m][1] in ")]}":
                return m
        return len(self.tokens) - 1

    def statement_of(self, n: int) -> tuple[int, int]:
        for span in self.statements:
            if span[0] <= n < span[1]:
                return span
        return (0, len(self.tokens))

    def expression_end(self, n: int, stop: int) -> int:
        """The index after the expression starting at n (ends at a ``,`` or closing bracket at its
        depth, a new line at its depth, or ``stop``)."""
        base = self.depth[n]
        opened = 0  # groups opened at depth base inside the expression
        m = n
        while m < stop:
            kind, value, first = self.tokens[m]
            if self.depth[m] < base:
                return m
            if self.depth[m] == base and kind in self.Punctuation:
                if value in "([{":
                    opened += 1
                elif value in ")]}":
                    if opened == 0:
                        return m
                    opened -= 1
                elif m > n and value in ",|;":
                    return m
            elif (m > n and self.depth[m] == base and value == "|") or (m > n and self.depth[m] == base and (
                value in {"if", "else"} or (first and self.tokens[m - 1][0] not in self.Operator)
            )):
                return m
            m += 1
        return m

    # -- where whole evidence items may sit inside a value
    #
    # An expression's "item depths": the nesting levels at which its value may hold a whole item
    # (0: the value is an item; 1: its elements or values are; ...). ``input.<kind>`` is {1},
    # ``input`` {2}; a field or element of a value takes one level off (a field of an item is a value
    # inside it, kept whole by the projection); a literal array, set or object or a comprehension adds
    # one to what it holds; a scalar builtin holds none; an unknown builtin may return anything up to
    # the deepest level of its arguments; a parameter of a function holds what the calls in this source
    # pass it, or anything when no call is seen (a library function called from a control).

    def mentions_input(self, start: int, end: int) -> bool:
        return any(self.tokens[n][1] == "input" and self.tokens[n][0] in self.Name for n in range(start, end))

    def depths(self, start: int, end: int, follow: int, seen: frozenset[str]) -> frozenset[int]:
        """The item depths of the expression tokens[start:end] (operands of arithmetic joined).

        Remembered per expression and the arguments the function holding it was called with (Rego has
        no recursive rules, so no result depends on a cycle cut short)."""
        key = (start, end, tuple(sorted((k, tuple(v)) for k, v in self.bindings.items())))
        known = self._memo.get(key)
        if known is None:
            known = self._memo[key] = self._depths(start, end, follow, seen)
        return known

    def _depths(self, start: int, end: int, follow: int, seen: frozenset[str]) -> frozenset[int]:
        if start >= end:
            return _TOP
        if any(self.depth[n] == self.depth[start] and self.tokens[n][1] in _COMPARISONS for n in range(start, end)):
            return _NONE_DEEP  # a comparison or membership test: true or false
        found: set[int] = set()
        operand = start
        for n in range(start, end + 1):
            if n == end or (self.depth[n] == self.depth[start] and self.tokens[n][0] in self.Operator
                            and self.tokens[n][1] in _ARITHMETIC and n > operand):
                found |= self.operand_depths(operand, n, follow, seen)
                operand = n + 1
        return frozenset(found)

    def operand_depths(self, start: int, end: int, follow: int, seen: frozenset[str]) -> frozenset[int]:
        tokens = self.tokens
        if start >= end:
            return _TOP
        kind, value, _ = tokens[start]
        if end - start == 1 and (kind in self.Number or kind in self.String or value in {"true", "false", "null"}):
            return _NONE_DEEP
        if self.punct(start, "(") and self.close(start) == end - 1:
            return self.depths(start + 1, end - 1, follow, seen)
        if (self.punct(start, "[") or self.punct(start, "{")) and self.close(start) == end - 1:
            return _deeper(self.composite_depths(start, follow, seen))
        if value == "not" or kind not in self.Name:
            return _TOP if self.mentions_input(start, end) else _NONE_DEEP
        name, n = self.dotted(start)
        parts = name.split(".")
        if parts[0] == "input":
            base, fields = frozenset({2}), len(parts) - 1
        elif parts[0] == "data":
            base, fields = _NONE_DEEP, 0
        elif self.punct(n, "(") :
            base, fields = self.call_depths(name, n, follow, seen), 0
            n = self.close(n) + 1
        else:
            base, fields = self.name_depths(parts[0], start, follow, seen), len(parts) - 1
        while n < end and self.punct(n, "["):  # x[k]...: an element
            fields += 1
            n = self.close(n) + 1
            while self.punct(n, ".") and self.is_name(n + 1):
                fields += 1
                n += 2
        if n != end:
            return _TOP
        return _shallower(base, fields)

    def composite_depths(self, open_bracket: int, follow: int, seen: frozenset[str]) -> frozenset[int]:
        """What the elements (values) of an array, set or object literal or comprehension hold."""
        close = self.close(open_bracket)
        found: set[int] = set()
        n = open_bracket + 1
        while n < close:
            end = self.expression_end(n, close)
            value = next((m + 1 for m in range(n, end) if self.tokens[m][1] == ":" and self.depth[m] == self.depth[n]),
                         n)
            found |= self.depths(value, end, follow, seen)
            if end < close and self.tokens[end][1] == "|":
                break  # a comprehension: its head is what it holds
            n = end + 1
        return frozenset(found)

    def call_depths(self, name: str, open_paren: int, follow: int, seen: frozenset[str]) -> frozenset[int]:
        if name in SCALAR_CALLS:
            return _NONE_DEEP
        args = self.arguments(open_paren)
        if name in _ELEMENT_CALLS and len(args) == 1:  # one element of the collection (of collections)
            return _shallower(self.depths(args[0][0], args[0][1], follow, seen), 1)
        if name in _SAME_CALLS:  # the arguments' elements, rearranged
            return frozenset(d for a, b in args for d in self.depths(a, b, follow, seen))
        if name == "object.get" and len(args) == 3:  # a value of the object, or the default
            obj = self.depths(args[0][0], args[0][1], follow, seen)
            return _shallower(obj, 1) | self.depths(args[2][0], args[2][1], follow, seen)
        alias, _, function = name.rpartition(".")
        library = self.libraries.get(alias) if alias else None
        source, local = (library, function) if library is not None else (self, name)
        if (local in source.defs and not alias) or library is not None:
            if follow <= 0 or f"{id(source)}:{local}" in seen:
                return _TOP
            given = [self.depths(a, b, follow - 1, seen) for a, b in args]
            spans = [span[0] for span, _ in source.defs.get(local, [])]
            saved = {start: source.bindings[start] for start in spans if start in source.bindings}
            for start in spans:
                source.bindings[start] = given
            try:
                return source.rule_depths(local, follow - 1, seen | {f"{id(source)}:{local}"})
            finally:
                for start in spans:
                    source.bindings.pop(start, None)
                source.bindings.update(saved)
        # a builtin (or a function the scan cannot find): at most as deep as its deepest argument
        deepest = max((d for a, b in args for d in self.depths(a, b, follow, seen)), default=-1)
        return frozenset(range(deepest + 1))

    def rule_depths(self, name: str, follow: int, seen: frozenset[str]) -> frozenset[int]:
        """The item depths of the values of every definition of rule or function ``name``."""
        found: set[int] = set()
        for span, value in self.defs.get(name, []):
            if value is None:
                continue  # ``f(x) if {...}``: true
            held = self.depths(value, self.expression_end(value, span[1]), follow, seen)
            found |= _deeper(held) if span[0] in self.members else held
        if not self.defs.get(name):
            return _TOP
        return frozenset(found)

    def name_depths(self, name: str, at: int, follow: int, seen: frozenset[str]) -> frozenset[int]:
        """The item depths of a variable of the statement holding token ``at``: the union over its
        bindings (assignment, ``some``/``every`` iteration, destructuring, function parameter), else
        those of the package's rule of that name."""
        span = self.statement_of(at)
        tokens = self.tokens
        key = f"{id(self)}:{span[0]}:{name}"
        if key in seen or follow <= 0:
            return _TOP if follow <= 0 else _NONE_DEEP  # a cycle adds nothing new
        seen = seen | {key}
        found: set[int] = set()
        bound = False
        clause: int | None = None  # the start of the latest some/every clause
        for n in range(span[0], span[1]):
            if tokens[n][1] in _BINDING_KEYWORDS:
                clause = n
            if tokens[n][1] != name or tokens[n][0] not in self.Name or self.punct(n - 1, "."):
                continue
            if self.in_head(n, span):
                found |= self.parameter_depths(span, n, follow, seen)
                bound = True
            elif clause is not None and self.in_clause(clause, n):
                source = self.clause_source(clause, span[1])
                if source is None:
                    return _TOP
                source_end = self.expression_end(source, span[1])
                pattern = self.pattern_position(clause, n)
                if pattern is not None:  # ``some [a, b] in c``: what c's elements hold at a's position
                    found |= self.position_depths(source, source_end, pattern, follow - 1, seen)
                else:
                    # ``some x in c``: an element of c; deeper patterns: a value inside an element, one
                    # level further per bracket; ``some k, v in c``: k is an index or key, or, over a
                    # set, the element itself (so counted as one)
                    collection = self.depths(source, source_end, follow - 1, seen)
                    found |= _shallower(collection, 1 + self.depth[n] - self.depth[clause])
                bound = True
            elif n + 1 < span[1] and tokens[n + 1][1] in {":=", "="}:
                value = n + 2
                found |= self.depths(value, self.expression_end(value, span[1]), follow - 1, seen)
                bound = True
            elif self.punct(n + 1, ",") or self.punct(n + 1, "]"):
                closing = self.close_of(n)
                if closing is not None and closing + 1 < span[1] and tokens[closing + 1][1] in {":=", "="}:
                    value = closing + 2
                    found |= _shallower(self.depths(value, self.expression_end(value, span[1]), follow - 1, seen), 1)
                    bound = True
        if not bound:
            if name in self.defs:
                return self.rule_depths(name, follow - 1, seen)
            return _TOP
        return frozenset(found)

    def pattern_position(self, clause: int, n: int) -> int | None:
        """The position of token n in a one-level array pattern of the some clause at ``clause``
        (``some [a, b] in c``: a is 0, b is 1), else None."""
        if self.depth[n] != self.depth[clause] + 1:
            return None
        for m in range(n - 1, clause, -1):
            if self.depth[m] == self.depth[clause]:
                if not self.punct(m, "[") or self.close(m) < n:
                    return None
                return next((k for k, (a, b) in enumerate(self.arguments(m)) if a == n and b == n + 1), None)
        return None

    def position_depths(self, start: int, end: int, position: int, follow: int, seen: frozenset[str]) -> frozenset[int]:
        """The item depths of the value at ``position`` of every element of the collection tokens[start:end].

        Followed exactly where the elements are built in sight: an array or set comprehension whose head
        is an array literal (``[[d, sha] | ...]``), through rules of this source, calls of its or a
        library's functions, and builtins that only gather or reorder elements (``array.concat``, ``sort``,
        ``array.reverse``, ``array.slice``: the union over their collection arguments, position by
        position); anything else counts as any value an element may hold, at any position."""
        fallback = _shallower(self.depths(start, end, follow, seen), 2)
        if follow <= 0:
            return fallback
        if (self.punct(start, "[") or self.punct(start, "{")) and self.close(start) == end - 1:
            close = end - 1
            head_end = self.expression_end(start + 1, close)
            if head_end < close and self.tokens[head_end][1] == "|" and self.punct(start + 1, "[") \
                    and self.close(start + 1) == head_end - 1:
                elements = self.arguments(start + 1)
                if position < len(elements):
                    a, b = elements[position]
                    return self.depths(a, b, follow, seen)
            return fallback
        if not self.is_name(start):
            return fallback
        name, after = self.dotted(start)
        if after == end and "." not in name and name in self.defs and not self.bound_in(name, start):
            key = f"pos:{id(self)}:{name}:{position}"
            if key in seen:
                return fallback
            found: set[int] = set()
            for span, value in self.defs[name]:
                if value is None or span[0] in self.members:
                    return fallback
                found |= self.position_depths(value, self.expression_end(value, span[1]), position, follow - 1,
                                              seen | {key})
            return frozenset(found)
        if not self.punct(after, "(") or self.close(after) != end - 1:
            return fallback
        if name in _ELEMENTS_OF:  # each element is one of its collection arguments': what they hold there
            collections = self.arguments(after)[:_ELEMENTS_OF[name]]
            if len(collections) < _ELEMENTS_OF[name]:
                return fallback
            return frozenset(d for a, b in collections
                             for d in self.position_depths(a, b, position, follow - 1, seen))
        alias, _, function = name.rpartition(".")
        library = self.libraries.get(alias) if alias else None
        source, local = (library, function) if library is not None else (self, name)
        if source is None or (alias and library is None) or local not in source.defs:
            return fallback
        key = f"{id(source)}:{local}"
        if key in seen:
            return fallback
        given = [self.depths(a, b, follow - 1, seen) for a, b in self.arguments(after)]
        spans = [span[0] for span, _ in source.defs[local]]
        saved = {s: source.bindings[s] for s in spans if s in source.bindings}
        for s in spans:
            source.bindings[s] = given
        try:
            found = set()
            for span, value in source.defs[local]:
                if value is None or span[0] in source.members:
                    return fallback
                found |= source.position_depths(value, source.expression_end(value, span[1]), position, follow - 1,
                                                seen | {key})
            return frozenset(found)
        finally:
            for s in spans:
                source.bindings.pop(s, None)
            source.bindings.update(saved)

    def bound_in(self, name: str, at: int) -> bool:
        """``name`` is a variable of the statement holding token ``at`` (it shadows a rule of that name)."""
        span = self.statement_of(at)
        clause: int | None = None
        for n in range(span[0], span[1]):
            if self.tokens[n][1] in _BINDING_KEYWORDS:
                clause = n
            if self.tokens[n][1] != name or self.tokens[n][0] not in self.Name or self.punct(n - 1, "."):
                continue
            if self.in_head(n, span) or (n + 1 < span[1] and self.tokens[n + 1][1] in {":=", "="}):
                return True
            if clause is not None and self.in_clause(clause, n):
                return True
            closing = self.close_of(n)
            if closing is not None and closing + 1 < span[1] and self.tokens[closing + 1][1] in {":=", "="}:
                return True  # a destructuring target (or, conservatively, a value inside one)
        return False

    def in_brackets(self, start: int, n: int) -> bool:
        """Token n is inside brackets opened after token start (``some [a, b] in``)."""
        return self.depth[n] > self.depth[start]

    def in_clause(self, start: int, n: int) -> bool:
        """Token n lies between ``some``/``every`` at start and its ``in``."""
        for m in range(start + 1, n):
            if self.tokens[m][1] in {"in", "|", ";"} or self.depth[m] < self.depth[start]:
                return False
            if self.tokens[m][2] and self.depth[m] == self.depth[start]:
                return False
        return True

    def clause_source(self, start: int, stop: int) -> int | None:
        """The index of the collection iterated by the some/every clause at start."""
        for m in range(start + 1, stop):
            if self.tokens[m][1] == "in" and self.depth[m] == self.depth[start]:
                return m + 1
        return None

    def parameter_depths(self, span: tuple[int, int], n: int, follow: int, seen: frozenset[str]) -> frozenset[int]:
        """What the calls of the function defined by span, in this source, pass as the parameter at n."""
        head = span[0] + (1 if self.tokens[span[0]][1] == "default" else 0)
        function, after = self.dotted(head)
        position = next((k for k, (a, b) in enumerate(self.arguments(after)) if a <= n < b), None)
        if position is None:
            return _TOP
        given = self.bindings.get(span[0])
        if given is not None:  # followed from a call: what that call passes
            return given[position] if position < len(given) else _TOP
        key = f"params:{id(self)}:{function}"
        if key in seen:
            return _NONE_DEEP  # a recursive call adds nothing new
        seen = seen | {key}
        found: set[int] = set()
        calls = 0
        for source, name in [(self, function), *((caller, f"{alias}.{function}") for caller, alias in self.callers)]:
            for m in range(len(source.tokens)):
                if source.tokens[m][1] != name.split(".")[0] or source.punct(m - 1, "."):
                    continue
                called, after_name = source.dotted(m)
                if called != name or not source.punct(after_name, "("):
                    continue
                if source is self and any(span2[0] in (m, m - 1) for span2, _ in self.defs.get(function, [])):
                    continue  # a definition, not a call
                args = source.arguments(after_name)
                if position >= len(args):
                    return _TOP
                found |= source.depths(args[position][0], args[position][1], follow - 1, seen)
                calls += 1
        return frozenset(found) if calls else _TOP

    def arguments(self, open_paren: int) -> list[tuple[int, int]]:
        """The token spans of the comma-separated expressions inside the bracket at ``open_paren``."""
        close = self.close(open_paren)
        args, n = [], open_paren + 1
        while n < close:
            end = self.expression_end(n, close)
            args.append((n, end))
            n = end + 1
        return args

    def in_head(self, n: int, span: tuple[int, int]) -> bool:
        """Token n lies in the parameter list of the function whose definition is ``span``."""
        head = span[0] + (1 if self.tokens[span[0]][1] == "default" else 0)
        _, after = self.dotted(head)
        return self.punct(after, "(") and after < n < self.close(after)

    def close_of(self, n: int) -> int | None:
        """The bracket closing the innermost group holding token n."""
        for m in range(n + 1, len(self.tokens)):
            if self.depth[m] < self.depth[n]:
                return m
        return None


_IMPORT_RE = re.compile(r"^\s*import\s+data\.lib\.([A-Za-z_]\w*)(?:\s+as\s+([A-Za-z_]\w*))?\s*$", re.MULTILINE)


def scan(source: PolicySource, libraries: Mapping[str, _Source] | None = None) -> _Scan:
    """Every name and string literal of ``source``'s code, and its uses that observe whole objects.

    ``libraries``: library package name (``time`` for ``lib.time``) -> its source, to follow calls into.
    """
    known = libraries or {}
    aliases = {alias or lib: known[lib] for lib, alias in _IMPORT_RE.findall(source.text) if lib in known}
    src = _Source(source.text, aliases)
    return _scan_source(src)


def _scan_source(src: _Source) -> _Scan:
    tokens = src.tokens
    names: set[str] = set()
    opaque: list[str] = []
    n = 0
    while n < len(tokens):
        kind, value, _ = tokens[n]
        if kind in src.String:
            text = string_literal(value)
            if text is None:  # a string the lexer split (escapes): keep every piece
                text = value.strip('"`')
            names.add(text)
            names.update(text.split("."))
            n += 1
            continue
        if src.is_name(n):
            starts_ref = not (src.punct(n - 1, ".") or src.punct(n - 1, "]"))
            name, after = src.dotted(n)
            names.update(name.split("."))
            if starts_ref and src.punct(after, "("):
                if name in OPAQUE_CALLS and not (
                    name == "object.keys" and n >= 2 and tokens[n - 1][1] == "in" and tokens[n - 2][0] in src.String
                ):
                    opaque.append(f"{name}()")
                elif name in _FORMATTERS and (shown := _unfollowed_value(src, after)) is not None:
                    opaque.append(f"line {src.line_of(n)}: {name}() prints {shown}, which may be a whole item")
            n = after
            continue
        n += 1
    return _Scan(frozenset(names), tuple(opaque))


def _unfollowed_value(src: _Source, open_paren: int) -> str | None:
    """The first value ``sprintf(format, values)`` prints that may be a whole item (``%s`` and ``%v``
    both print an object with all its fields), as written; None when every value is shown not to be."""
    args = src.arguments(open_paren)
    if len(args) != 2 or not src.punct(args[1][0], "[") or src.close(args[1][0]) != args[1][1] - 1:
        return "values not given as an array literal"
    for a, b in src.arguments(args[1][0]):
        if 0 in src.depths(a, b, _MAX_FOLLOW, frozenset()):
            return " ".join(value for _, value, _ in src.tokens[a:b]).replace(" . ", ".")
    return None


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def projection_for(
    sources: Sequence[PolicySource],
    reads: Mapping[str, Iterable[str]],
    params: Any = None,
) -> Projection:
    """The projection the policies allow.

    ``sources``: the runtime policies; ``reads``: policy package -> the evidence kinds its control
    reads (``evidence`` and ``uses``); ``params``: the parameters document (its strings may be keys).
    A source in no control's ``reads`` (a library package) may see every kind.
    """
    fields: set[str] = set(PYTHON_READS)
    if params is not None:
        fields.update(_strings(params))
    whole: set[str] = set()
    reasons: dict[str, list[str]] = {}
    every_kind = {kind for kinds in reads.values() for kind in kinds}
    libraries = {}
    for source in sources:
        if source.package.startswith("lib."):
            libraries[source.package.removeprefix("lib.")] = _Source(source.text)
    for lib_source in sources:  # a library may call another
        if lib_source.package.startswith("lib."):
            name = lib_source.package.removeprefix("lib.")
            libraries[name].libraries = {
                alias or lib: libraries[lib] for lib, alias in _IMPORT_RE.findall(lib_source.text) if lib in libraries}
    parsed: dict[str, _Source] = {}
    for source in sources:
        if source.package.startswith("lib."):
            parsed[source.package] = libraries[source.package.removeprefix("lib.")]
        else:
            aliases = {alias or lib: libraries[lib]
                       for lib, alias in _IMPORT_RE.findall(source.text) if lib in libraries}
            parsed[source.package] = _Source(source.text, aliases)
    for src in parsed.values():  # each library learns who calls it, to follow its parameters back
        for alias, library in src.libraries.items():
            library.callers.append((src, alias))
    for source in sources:
        found = _scan_source(parsed[source.package])
        fields |= found.names
        if found.opaque:
            for kind in reads.get(source.package, every_kind):
                whole.add(kind)
                reasons.setdefault(kind, []).extend(f"{source.relpath}: {why}" for why in found.opaque)
    return Projection(frozenset(fields), frozenset(whole), {k: tuple(v) for k, v in sorted(reasons.items())})
