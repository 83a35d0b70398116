#!/usr/bin/env python3
"""Checks Swift sources where no Swift compiler exists: syntax with tree-sitter-swift, plus a
cheap cross-check of the Kazashi API the iOS shell, its tests and its README use.

Usage: check_swift_syntax.py [--self-test] [--api-source FILE] [--syntax-only FILE] [--no-api] FILE...

Every FILE is parsed; ERROR and MISSING nodes are reported as file:line:col. Files ending in
`.md` contribute their ```swift code blocks, each checked as a file of its own.

The API cross-check builds a table of the types declared in --api-source (the generated
Kazashi.swift) and in every FILE, then checks the uses found in every FILE that is not an API
source:

- `Type.member` and `Type.member(label:...)` for every known type (enum cases, static members,
  argument labels, associated-value arity and labels);
- `Type(label:...)` against the type's initialisers;
- calls on receivers named `cardSession` (a CardSession) and `virtualCard` (a VirtualCard), the
  naming convention of the shell, its tests and its README;
- implicit `.UpperCamelCase` members and case patterns, which in this code base are the cases of
  the uniffi error enums (`KazashiError`, `NfcError`);
- implicit `.member` arguments whose parameter type is a known enum.

A call to an overloaded method passes if any overload with matching labels takes its implicit
enum members. Every manifest (a file or README block beginning with `// swift-tools-version:`)
must declare at least the Swift version the checked code needs (`nonisolated(unsafe)`: 5.10).
`--self-test` first runs the checker on built-in cases with known answers.

It is a heuristic, not a type checker: it only proves that what it recognises exists with
those labels, so that a renamed or re-shaped API fails here rather than only on macOS.

Preprocessing is limited to two documented grammar quirks: each uniffi
`#if swift(>=5.8) / @_documentation(visibility: private) / #endif` block becomes three blank
lines (line numbers are kept), and a closure that returns the empty tuple, `{ () }` (what uniffi
writes for a callback method without a return value), becomes `{    }`: valid Swift, same
columns, which the grammar cannot parse.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter_swift
from tree_sitter import Language, Node, Parser

QUIRK = re.compile(r"#if swift\(>=5\.8\)\n[ \t]*@_documentation\(visibility: private\)\n#endif\n")
RECEIVERS = {"cardSession": "CardSession", "virtualCard": "VirtualCard"}
MAX_SYNTAX_REPORTS = 20


VOID_CLOSURE = re.compile(r"\{ \(\) \}")


def preprocess(text: str) -> str:
    return VOID_CLOSURE.sub("{    }", QUIRK.sub("\n\n\n", text))


@dataclass
class Source:
    label: str  # what to print (path, or path#block)
    text: str
    line_offset: int = 0  # for README blocks: line of the block's first line, minus one
    is_api_source: bool = False
    syntax_only: bool = False
    tree: object = None
    data: bytes = b""
    problems: list = field(default_factory=list)

    def where(self, node: Node) -> str:
        row, col = node.start_point
        path = self.label.split("#", 1)[0]
        return f"{path}:{row + 1 + self.line_offset}:{col + 1}"

    def text_of(self, node: Node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")


@dataclass
class Param:
    label: str | None  # None: no label at the call site (`_`)
    has_default: bool
    type_text: str


@dataclass
class TypeInfo:
    name: str
    kind: str = ""
    cases: dict = field(default_factory=dict)  # name -> list[Param] (empty: no payload)
    methods: dict = field(default_factory=dict)  # name -> list[list[Param]]
    inits: list = field(default_factory=list)  # list[list[Param]]
    properties: set = field(default_factory=set)
    nested: set = field(default_factory=set)

    def has_member(self, name: str) -> bool:
        return (
            name in self.cases
            or name in self.methods
            or name in self.properties
            or name in self.nested
            or name == "init"
        )


# --------------------------------------------------------------------------------------------
# Loading


def load_sources(paths: list[str], api_sources: list[str], syntax_only: list[str]) -> list[Source]:
    sources = []
    for path in api_sources:
        sources.append(Source(path, preprocess(Path(path).read_text(encoding="utf-8")), is_api_source=True))
    for path in syntax_only:
        sources.append(Source(path, preprocess(Path(path).read_text(encoding="utf-8")), syntax_only=True))
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        if path.endswith(".md"):
            sources.extend(markdown_blocks(path, text))
        else:
            sources.append(Source(path, preprocess(text)))
    return sources


def markdown_blocks(path: str, text: str) -> list[Source]:
    blocks = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```swift":
            start = i + 1
            j = start
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            blocks.append(Source(f"{path}#L{start + 1}", "\n".join(lines[start:j]) + "\n", line_offset=start))
            i = j + 1
        else:
            i += 1
    return blocks


# --------------------------------------------------------------------------------------------
# Syntax


def syntax_problems(source: Source) -> list[str]:
    found = []
    stack = [source.tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_missing:
            found.append((node.start_byte, f"{source.where(node)}: MISSING {node.type}"))
        elif node.type == "ERROR":
            snippet = source.text_of(node).strip().split("\n")[0][:60]
            first, last = node.start_point[0], node.end_point[0]
            span = f" (unparsable lines {first + 1 + source.line_offset}-{last + 1 + source.line_offset})" if last > first else ""
            found.append((node.start_byte, f"{source.where(node)}: ERROR{span} near {snippet!r}"))
        if node.has_error:
            stack.extend(node.children)
    found.sort()
    return [message for _, message in found]


# --------------------------------------------------------------------------------------------
# Declarations


def child_of_type(node: Node, *types: str) -> Node | None:
    for child in node.children:
        if child.type in types:
            return child
    return None


def declared_type_name(source: Source, decl: Node) -> str | None:
    name = decl.child_by_field_name("name")
    if name is None:
        return None
    text = source.text_of(name)
    return re.split(r"[<.\s]", text)[0] if text else None


def parameters_of(source: Source, decl: Node) -> list[Param]:
    """The parameters of a func or init: `label name: Type = default` appears as a `parameter`
    node followed, among the declaration's children, by `=` and the default value."""
    params: list[Param] = []
    previous: Node | None = None
    for child in decl.children:
        if child.type in ("comment", "multiline_comment"):
            continue
        if child.type == "parameter":
            external = child.child_by_field_name("external_name")
            names = [c for i, c in enumerate(child.children) if child.field_name_for_child(i) == "name"]
            if external is not None:
                label = source.text_of(external)
            else:
                label = source.text_of(names[0]) if names else None
            type_text = source.text_of(names[-1]) if len(names) > 1 else ""
            params.append(Param(None if label == "_" else label, False, type_text))
        elif child.type == "=" and previous is not None and previous.type == "parameter":
            params[-1].has_default = True
        previous = child
    return params


def enum_payload(source: Source, entry_params: Node) -> list[Param]:
    chunks: list[list[Node]] = [[]]
    for child in entry_params.children:
        if child.type in ("(", ")", "comment", "multiline_comment"):
            continue
        if child.type == ",":
            chunks.append([])
        else:
            chunks[-1].append(child)
    payload = []
    for chunk in chunks:
        if not chunk:
            continue
        if len(chunk) >= 3 and chunk[0].type == "simple_identifier" and chunk[1].type == ":":
            payload.append(Param(source.text_of(chunk[0]), False, source.text_of(chunk[2])))
        else:
            payload.append(Param(None, False, source.text_of(chunk[0])))
    return payload


def collect_declarations(source: Source, types: dict[str, TypeInfo]) -> None:
    def visit(node: Node, owner: TypeInfo | None) -> None:
        if node.type in ("class_declaration", "protocol_declaration"):
            name = declared_type_name(source, node)
            if name:
                info = types.setdefault(name, TypeInfo(name))
                kind_node = node.child_by_field_name("declaration_kind")
                kind = source.text_of(kind_node) if kind_node is not None else "protocol"
                if kind != "extension" or not info.kind:
                    info.kind = kind if kind != "extension" else info.kind
                if owner is not None and kind != "extension":
                    owner.nested.add(name)
                body = node.child_by_field_name("body")
                if body is not None:
                    for member in body.children:
                        visit(member, info)
            return
        if owner is None:
            for child in node.children:
                if child.type in ("class_declaration", "protocol_declaration"):
                    visit(child, None)
            return
        if node.type in ("function_declaration", "protocol_function_declaration"):
            name = node.child_by_field_name("name")
            if name is not None:
                owner.methods.setdefault(source.text_of(name), []).append(parameters_of(source, node))
        elif node.type == "init_declaration":
            owner.inits.append(parameters_of(source, node))
        elif node.type in ("property_declaration", "protocol_property_declaration"):
            for child in node.children:
                if child.type == "pattern":
                    owner.properties.add(source.text_of(child))
        elif node.type == "enum_entry":
            names = [c for i, c in enumerate(node.children) if node.field_name_for_child(i) == "name"]
            payload_node = child_of_type(node, "enum_type_parameters")
            for name in names:
                owner.cases[source.text_of(name)] = enum_payload(source, payload_node) if payload_node else []
        elif node.type == "typealias_declaration":
            name = node.child_by_field_name("name")
            if name is not None:
                owner.nested.add(source.text_of(name))

    visit(source.tree.root_node, None)


# --------------------------------------------------------------------------------------------
# Uses


@dataclass
class CallArg:
    label: str | None
    value: Node | None
    trailing_closure: bool = False


def call_arguments(source: Source, call_suffix: Node) -> list[CallArg]:
    args: list[CallArg] = []
    for child in call_suffix.children:
        if child.type == "value_arguments":
            for arg in child.children:
                if arg.type != "value_argument":
                    continue
                label_node = arg.child_by_field_name("name")
                value = arg.child_by_field_name("value")
                args.append(CallArg(source.text_of(label_node) if label_node is not None else None, value))
        elif child.type == "lambda_literal":
            args.append(CallArg(None, child, trailing_closure=True))
    return args


def match_labels(params: list[Param], args: list[CallArg]) -> list[tuple[Param, CallArg]] | None:
    """Pairs arguments with parameters the way Swift does for labels and defaults; None if the
    labels cannot match."""
    pairs = []
    plain = [a for a in args if not a.trailing_closure]
    closures = [a for a in args if a.trailing_closure]
    p = 0
    for arg in plain:
        while p < len(params) and params[p].label != arg.label:
            if not params[p].has_default:
                return None
            p += 1
        if p == len(params):
            return None
        pairs.append((params[p], arg))
        p += 1
    rest = params[p:]
    for arg in closures:
        if not rest:
            return None
        target = next((q for q in rest if "->" in q.type_text), rest[-1])
        index = rest.index(target)
        if any(not q.has_default for q in rest[:index]):
            return None
        pairs.append((target, arg))
        rest = rest[index + 1 :]
    if any(not q.has_default for q in rest):
        return None
    return pairs


def signature(name: str, params: list[Param]) -> str:
    return f"{name}(" + "".join(f"{q.label or '_'}:" for q in params) + ")"


def call_signature(name: str, args: list[CallArg]) -> str:
    return f"{name}(" + "".join("{}:" if a.trailing_closure else f"{a.label or '_'}:" for a in args) + ")"


class Checker:
    def __init__(self, types: dict[str, TypeInfo]):
        self.types = types
        self.upper_cases: dict[str, list[tuple[str, list[Param]]]] = {}
        for info in types.values():
            for case, payload in info.cases.items():
                if case[:1].isupper():
                    self.upper_cases.setdefault(case, []).append((info.name, payload))
        self.uses = 0

    # A type referred to by a bare name, or None.
    def known_type(self, source: Source, node: Node | None) -> TypeInfo | None:
        if node is None or node.type not in ("simple_identifier", "user_type", "type_identifier"):
            return None
        info = self.types.get(source.text_of(node))
        # Types only extended here (Data, String...) are not this API's to check.
        return info if info is not None and info.kind else None

    def receiver_type(self, source: Source, target: Node) -> TypeInfo | None:
        if target.type == "simple_identifier" and source.text_of(target) in RECEIVERS:
            return self.types.get(RECEIVERS[source.text_of(target)])
        if target.type == "call_expression" and target.children:
            callee = target.children[0]
            info = self.known_type(source, callee)
            if info is not None and info.kind in ("class", "struct", "enum", "actor"):
                return info
        return None

    def check(self, source: Source) -> list[str]:
        problems: list[str] = []
        stack = [source.tree.root_node]
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            if node.type == "call_expression":
                self.check_call(source, node, problems)
            elif node.type == "navigation_expression" and (
                node.parent is None or node.parent.type != "call_expression" or node.parent.children[0] != node
            ):
                self.check_member(source, node, None, problems)
            elif node.type == "prefix_expression" and not self.is_callee(node):
                self.check_implicit(source, node, None, problems)
            elif node.type == "switch_statement":
                self.check_exhaustive(source, node, problems)
            self.check_patterns(source, node, problems)
        return problems

    def check_exhaustive(self, source: Source, switch: Node, problems: list[str]) -> None:
        """A `switch` without `default` over the cases of an error enum must name every case:
        a case added to the FFI is then reported here, not only by the macOS build."""
        names: set[str] = set()
        for entry in switch.children:
            if entry.type != "switch_entry":
                continue
            if any(child.type == "default_keyword" or source.text_of(child) == "default" for child in entry.children):
                return
            for pattern in entry.children:
                if pattern.type != "switch_pattern":
                    continue
                stack = [pattern]
                while stack:
                    node = stack.pop()
                    children = node.children
                    for i, child in enumerate(children[:-1]):
                        if child.type == "." and children[i + 1].type == "simple_identifier":
                            name = source.text_of(children[i + 1])
                            if name[:1].isupper():
                                names.add(name)
                            break
                    else:
                        stack.extend(c for c in children if c.type == "pattern")
        if not names:
            return
        owners = [info for info in self.types.values() if info.cases and names <= set(info.cases)]
        if not owners:
            return
        missing = {info.name: sorted(set(info.cases) - names) for info in owners}
        if all(missing.values()):
            owner = min(owners, key=lambda info: len(missing[info.name]))
            problems.append(
                f"{source.where(switch)}: API: this switch over {owner.name} has no case for "
                + ", ".join("." + name for name in missing[owner.name])
            )

    @staticmethod
    def is_callee(node: Node) -> bool:
        return node.parent is not None and node.parent.type == "call_expression" and node.parent.children[0] == node

    def check_call(self, source: Source, call: Node, problems: list[str]) -> None:
        callee = call.children[0]
        suffix = child_of_type(call, "call_suffix")
        if suffix is None or callee.type == "call_expression":
            # `f(a) { ... }` nests `f(a)` in a call whose suffix is the trailing closure; the
            # inner call is checked with the closure added.
            return
        args = call_arguments(source, suffix)
        # The grammar may also put `try`/`await` between the two: `(await f(a)) { ... }`.
        inner = call
        parent = call.parent
        while parent is not None and parent.type in ("await_expression", "try_expression") and parent.children[-1] == inner:
            inner, parent = parent, parent.parent
        if parent is not None and parent.type == "call_expression" and parent.children[0] == inner:
            outer = child_of_type(parent, "call_suffix")
            if outer is not None and child_of_type(outer, "value_arguments") is None:
                args.extend(call_arguments(source, outer))
        if callee.type == "navigation_expression":
            self.check_member(source, callee, args, problems)
        elif callee.type == "prefix_expression":
            self.check_implicit(source, callee, args, problems)
        else:
            info = self.known_type(source, callee)
            if info is None or not info.inits:
                return
            self.uses += 1
            self.check_overloads(source, call, info.name, "init", info.inits, args, problems)

    def member_parts(self, source: Source, nav: Node) -> tuple[Node | None, str | None]:
        target = nav.child_by_field_name("target")
        suffix = nav.child_by_field_name("suffix")
        if suffix is None:
            return target, None
        name = suffix.child_by_field_name("suffix")
        return target, source.text_of(name) if name is not None else None

    def check_member(self, source: Source, nav: Node, args: list[CallArg] | None, problems: list[str]) -> None:
        target, member = self.member_parts(source, nav)
        if target is None or member is None or not re.match(r"^[A-Za-z_]\w*$", member):
            return
        static = self.known_type(source, target)
        info = static or self.receiver_type(source, target)
        if info is None:
            return
        self.uses += 1
        if member in info.cases:
            if static is None:
                problems.append(f"{source.where(nav)}: API: {member} is an enum case of {info.name}, not a member of a value")
            elif args is not None:
                self.check_payload(source, nav, info.name, member, info.cases[member], args, problems)
            return
        if member in info.methods:
            if args is not None:
                self.check_overloads(source, nav, info.name, member, info.methods[member], args, problems)
            return
        if member in info.properties or member in info.nested or member == "init":
            return
        kind = "static member" if static is not None else "method"
        known = sorted(set(info.methods) | set(info.cases) | info.properties)
        problems.append(
            f"{source.where(nav)}: API: {info.name} has no {kind} '{member}' (it has: {', '.join(known) or 'nothing'})"
        )

    def check_implicit(self, source: Source, prefix: Node, args: list[CallArg] | None, problems: list[str]) -> None:
        children = prefix.children
        if len(children) != 2 or children[0].type != "." or children[1].type != "simple_identifier":
            return
        member = source.text_of(children[1])
        if not member[:1].isupper():
            return
        self.uses += 1
        candidates = self.upper_cases.get(member)
        if not candidates:
            problems.append(f"{source.where(prefix)}: API: no enum case '.{member}' in the Kazashi API")
            return
        if args is None:
            return
        errors = []
        for owner, payload in candidates:
            sub: list[str] = []
            self.check_payload(source, prefix, owner, member, payload, args, sub)
            if not sub:
                return
            errors.extend(sub)
        problems.append(errors[0])

    def check_payload(self, source, node, owner, case, payload, args, problems) -> None:
        pairs = match_labels(payload, args) if len(args) == len(payload) else None
        if pairs is None:
            problems.append(
                f"{source.where(node)}: API: {owner}.{signature(case, payload)} does not match {call_signature(case, args)}"
            )
            return
        self.check_enum_arguments(source, pairs, problems)

    def check_overloads(self, source, node, owner, name, overloads, args, problems) -> None:
        """The call is fine if any overload takes it: every overload whose labels match is tried
        with the call's implicit enum members (`text(for: .x)` may be `text(for stage:)` or
        `text(for notice:)`, told apart only by the type of `.x`)."""
        rejections: list[list[str]] = []
        for params in overloads:
            pairs = match_labels(params, args)
            if pairs is None:
                continue
            sub: list[str] = []
            self.check_enum_arguments(source, pairs, sub)
            if not sub:
                return
            rejections.append(sub)
        if len(rejections) == 1:
            problems.extend(rejections[0])
            return
        if rejections:
            # Several overloads have these labels and none takes these members: one problem,
            # naming what each overload said.
            first = rejections[0][0]
            reasons = "; ".join(r.split(": API: ", 1)[-1] for sub in rejections for r in sub)
            problems.append(f"{first.split(': API: ', 1)[0]}: API: no overload of {owner}.{name} takes it ({reasons})")
            return
        known = " or ".join(signature(name, params) for params in overloads)
        problems.append(f"{source.where(node)}: API: {owner} has {known}, not {call_signature(name, args)}")

    def check_enum_arguments(self, source: Source, pairs, problems: list[str]) -> None:
        for param, arg in pairs:
            value = arg.value
            if value is None or value.type != "prefix_expression":
                continue
            children = value.children
            if len(children) != 2 or children[0].type != "." or children[1].type != "simple_identifier":
                continue
            enum = self.types.get(param.type_text.rstrip("?"))
            if enum is None or not enum.cases:
                continue
            member = source.text_of(children[1])
            if not enum.has_member(member):
                problems.append(f"{source.where(value)}: API: {enum.name} has no case '.{member}'")

    # Case patterns (`case .WrongPin(let pin, _, _)`, `catch KazashiError.TagLost`) are flat
    # token runs in this grammar: `.`, a name, then `(` ... `)` among the same parent's children.
    def check_patterns(self, source: Source, node: Node, problems: list[str]) -> None:
        if node.type in ("navigation_suffix", "prefix_expression", "navigation_expression"):
            return
        children = node.children
        for i, dot in enumerate(children):
            if dot.type != "." or i + 1 >= len(children) or children[i + 1].type != "simple_identifier":
                continue
            name_node = children[i + 1]
            member = source.text_of(name_node)
            qualifier = children[i - 1] if i > 0 else None
            owner = self.known_type(source, qualifier)
            if owner is not None:
                candidates = [(owner.name, owner.cases[member])] if member in owner.cases else []
                if not candidates:
                    if not owner.has_member(member):
                        problems.append(f"{source.where(name_node)}: API: {owner.name} has no case '{member}'")
                    continue
            elif member[:1].isupper():
                candidates = self.upper_cases.get(member, [])
                if not candidates:
                    problems.append(f"{source.where(name_node)}: API: no enum case '.{member}' in the Kazashi API")
                    continue
            else:
                continue
            self.uses += 1
            if i + 2 < len(children) and children[i + 2].type == "(":
                elements = pattern_elements(children, i + 3)
                errors = []
                for owner_name, payload in candidates:
                    sub: list[str] = []
                    self.check_pattern_payload(source, name_node, owner_name, member, payload, elements, sub)
                    if not sub:
                        errors = []
                        break
                    errors.extend(sub)
                if errors:
                    problems.append(errors[0])

    def check_pattern_payload(self, source, node, owner, case, payload, elements, problems) -> None:
        shown = f"{owner}.{signature(case, payload)}"
        if len(elements) != len(payload):
            problems.append(f"{source.where(node)}: API: {shown} has {len(payload)} associated values, "
                            f"the pattern has {len(elements)}")
            return
        for param, element in zip(payload, elements):
            parts = [c for c in element if c.type not in ("comment", "multiline_comment")]
            if len(parts) >= 3 and parts[0].type == "simple_identifier" and parts[1].type == ":":
                label = source.text_of(parts[0])
                if label != param.label:
                    problems.append(f"{source.where(parts[0])}: API: {shown}: label '{label}' should be '{param.label}'")
                    return
                parts = parts[2:]
            enum = self.types.get(param.type_text.rstrip("?"))
            if enum is not None and enum.cases and len(parts) == 1 and parts[0].type == "pattern":
                sub = [c for c in parts[0].children]
                if len(sub) == 2 and sub[0].type == "." and sub[1].type == "simple_identifier":
                    member = source.text_of(sub[1])
                    if member not in enum.cases:
                        problems.append(f"{source.where(sub[1])}: API: {enum.name} has no case '.{member}'")


def pattern_elements(children: list[Node], start: int) -> list[list[Node]]:
    elements: list[list[Node]] = [[]]
    depth = 0
    for child in children[start:]:
        if child.type == ")" and depth == 0:
            break
        if child.type == "(":
            depth += 1
        elif child.type == ")":
            depth -= 1
        if child.type == "," and depth == 0:
            elements.append([])
        else:
            elements[-1].append(child)
    return [e for e in elements if e]


# --------------------------------------------------------------------------------------------
# swift-tools-version against the language features the sources use

# What the sources may use and the Swift version that introduced it. A package that declares an
# older `swift-tools-version` lets an older compiler try, and fail, on the generated code.
LANGUAGE_FEATURES = [
    (re.compile(r"\bnonisolated\(unsafe\)"), (5, 10), "nonisolated(unsafe)"),
]
TOOLS_VERSION = re.compile(r"\A//\s*swift-tools-version\s*:\s*(\d+)\.(\d+)(?:\.\d+)?")
LINE_COMMENT = re.compile(r"//[^\n]*")
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def required_swift(sources: list[Source]) -> tuple[tuple[int, int], str, str] | None:
    """The newest Swift version a feature used in the sources' code (not in comments) needs, with
    the feature and where it was found; None if nothing in LANGUAGE_FEATURES is used."""
    best = None
    for source in sources:
        code = LINE_COMMENT.sub("", BLOCK_COMMENT.sub("", source.text))
        for pattern, version, feature in LANGUAGE_FEATURES:
            if pattern.search(code) and (best is None or version > best[0]):
                best = (version, feature, source.label.split("#", 1)[0])
    return best


def tools_version_problems(sources: list[Source]) -> None:
    """Every manifest (a file or README block starting with `// swift-tools-version:`) must
    declare at least the Swift version the code needs."""
    need = required_swift(sources)
    if need is None:
        return
    (major, minor), feature, where = need
    for source in sources:
        found = TOOLS_VERSION.match(source.text)
        if found is None:
            continue
        declared = (int(found.group(1)), int(found.group(2)))
        if declared < (major, minor):
            path = source.label.split("#", 1)[0]
            source.problems.append(
                f"{path}:{1 + source.line_offset}:1: tools: swift-tools-version {declared[0]}.{declared[1]} is older than "
                f"Swift {major}.{minor}, which {where} needs ({feature})"
            )


# --------------------------------------------------------------------------------------------
# Self-test: the checker on small sources with known answers (scripts/check-swift.sh runs it).

SELF_TEST_API = """
public enum Stage { case connecting
    case reading }
public enum Notice { case cardSurfaceRead }
public struct Messages {
    public init(language: Int) {}
    public func text(for stage: Stage) -> String { "" }
    public func text(for notice: Notice) -> String { "" }
    public func greet(name: String) -> String { "" }
}
"""

SELF_TEST_CASES = [
    # (name, user code, API code, substrings of the expected problems; [] = none)
    ("the second overload takes the member", "let a = Messages(language: 1).text(for: .cardSurfaceRead)\n", SELF_TEST_API, []),
    ("the first overload takes the member", "let a = Messages(language: 1).text(for: .reading)\n", SELF_TEST_API, []),
    ("no overload takes the member", "let a = Messages(language: 1).text(for: .cardRead)\n", SELF_TEST_API,
     ["no overload of Messages.text takes it", "Stage has no case '.cardRead'", "Notice has no case '.cardRead'"]),
    ("one overload with these labels rejects the member", "let a = Messages(language: 1).greet(name: .x)\n",
     SELF_TEST_API.replace("name: String", "name: Stage"), ["Stage has no case '.x'"]),
    ("no overload has these labels", "let a = Messages(language: 1).text(of: .reading)\n", SELF_TEST_API,
     ["Messages has text(for:) or text(for:), not text(of:)"]),
    ("tools 5.9 with nonisolated(unsafe) in the code", "// swift-tools-version:5.9\nimport PackageDescription\n",
     "final class T { nonisolated(unsafe) static let x = 1 }\n", ["swift-tools-version 5.9 is older than Swift 5.10"]),
    ("tools 5.10 with nonisolated(unsafe)", "// swift-tools-version:5.10\nimport PackageDescription\n",
     "final class T { nonisolated(unsafe) static let x = 1 }\n", []),
    ("tools 5.9 with nonisolated(unsafe) only in a comment", "// swift-tools-version: 5.9\nimport PackageDescription\n",
     "// `nonisolated(unsafe)` is needed under Swift 6\nfinal class T {}\n", []),
    ("tools 6.0.1 with nonisolated(unsafe)", "// swift-tools-version:6.0.1\nimport PackageDescription\n",
     "final class T { nonisolated(unsafe) static let x = 1 }\n", []),
]


def self_test(parser: Parser) -> int:
    passed = failed = 0
    for name, user, api, expected in SELF_TEST_CASES:
        sources = [Source("api.swift", api, is_api_source=True), Source("use.swift", user)]
        check_sources(parser, sources, api_check=True)
        problems = [p for source in sources for p in source.problems]
        ok = all(any(want in p for p in problems) for want in expected) and (bool(expected) == bool(problems))
        if ok:
            passed += 1
            print(f"ok   self-test: {name}")
        else:
            failed += 1
            print(f"FAIL self-test: {name}: expected {expected or 'no problem'}, got {problems or 'no problem'}")
    print(f"self-test: {passed} passed, {failed} failed")
    return 1 if failed else 0


def check_sources(parser: Parser, sources: list[Source], api_check: bool) -> int:
    """Parses and checks the sources in place (their `problems`); returns the API uses checked."""
    for source in sources:
        source.data = source.text.encode("utf-8")
        source.tree = parser.parse(source.data)
    for source in sources:
        source.problems.extend(syntax_problems(source))
    tools_version_problems(sources)
    if not api_check:
        return 0
    types: dict[str, TypeInfo] = {}
    for source in sources:
        if not source.syntax_only:
            collect_declarations(source, types)
    checker = Checker(types)
    for source in sources:
        if not source.is_api_source and not source.syntax_only:
            source.problems.extend(checker.check(source))
    return checker.uses


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api-source", action="append", default=[], help="generated Swift API (declarations only)")
    parser.add_argument("--syntax-only", action="append", default=[], help="a file to parse but not cross-check")
    parser.add_argument("--no-api", action="store_true", help="syntax only")
    parser.add_argument("--self-test", action="store_true", help="check the checker on built-in cases, then the files")
    parser.add_argument("files", nargs="*")
    options = parser.parse_args()

    swift = Parser(Language(tree_sitter_swift.language()))
    self_test_status = self_test(swift) if options.self_test else 0
    if not options.files:
        if not options.self_test:
            parser.error("no files to check")
        return self_test_status
    sources = load_sources(options.files, options.api_source, options.syntax_only)
    uses = check_sources(swift, sources, api_check=not options.no_api)

    def position(problem: str) -> tuple[int, int]:
        found = re.match(r"^.*?:(\d+):(\d+):", problem)
        return (int(found.group(1)), int(found.group(2))) if found else (0, 0)

    passed = failed = 0
    for source in sources:
        source.problems.sort(key=position)
        if source.problems:
            failed += 1
            print(f"FAIL {source.label}: {len(source.problems)} problem(s)")
            for problem in source.problems[:MAX_SYNTAX_REPORTS]:
                print(f"     {problem}")
            if len(source.problems) > MAX_SYNTAX_REPORTS:
                print(f"     ... and {len(source.problems) - MAX_SYNTAX_REPORTS} more")
        else:
            passed += 1
            print(f"ok   {source.label}")
    if not options.no_api:
        print(f"API cross-check: {uses} uses of known types and cases checked")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or self_test_status else 0


if __name__ == "__main__":
    sys.exit(main())
