"""The portability lint reads Rego tokens, not lines: every way of writing a forbidden builtin is caught,
and mentions in comments and strings are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.policies import PolicySource, lint, rego_refs


def source(body: str, tmp_path: Path) -> PolicySource:
    text = f"package controls.security.sec_009\n\nimport rego.v1\n\n{body}\n"
    path = tmp_path / "sec_009.rego"
    path.write_text(text)
    return PolicySource(path=path, relpath="security/sec_009.rego", package="controls.security.sec_009", text=text)


@pytest.mark.parametrize(
    ("body", "line", "name"),
    [
        ('r := http.send({"method": "get", "url": "https://example.org"})', 5, "http.send"),
        # split over two lines, with a comment between the parts
        ('r := http. # fetch\n  send({"method": "get", "url": "https://example.org"})', 5, "http.send"),
        ("t := time . now_ns()", 5, "time.now_ns"),
        ('t := time["now_ns"]()', 5, "time.now_ns"),
        ("t := time[`now_ns`]()", 5, "time.now_ns"),
        ("v := opa.runtime().env", 5, "opa.runtime"),
        ("n := rand.intn(\"seed\", 10)", 5, "rand.intn"),
        ('a := net.lookup_ip_addr("example.org")', 5, "net.lookup_ip_addr"),
        ("u := uuid.rfc4122(\"k\")", 5, "uuid.rfc4122"),
        ('c := io.jwt.decode_verify(token, {"secret": "s"})', 5, "io.jwt.decode_verify"),
        ("c := io.jwt.decode(token)", 5, "io.jwt.decode"),
        ("c := crypto.x509.parse_and_verify_certificates(pem)", 5, "crypto.x509.parse_and_verify_certificates"),
        # not a call, still a use: `with` makes f call the builtin
        ('f(x) := x\nr := f({"url": "u"}) with f as http.send', 6, "http.send"),
        # after a multi-line raw string, lines still count right
        ("doc := `line one\nline two`\nt := time.now_ns()", 7, "time.now_ns"),
    ],
)
def test_every_way_of_writing_a_forbidden_builtin_is_found(body: str, line: int, name: str, tmp_path: Path) -> None:
    problems = lint(source(body, tmp_path))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{tmp_path / 'sec_009.rego'}:{line}: {name}() is not allowed: ")


@pytest.mark.parametrize(
    "body",
    [
        "# http.send and time.now_ns() are not allowed here",
        'msg := "call http.send( or time.now_ns() # not a comment"',
        'msg := "escaped \\" http.send(x) \\" quote"',
        "msg := `raw http.send(\n time.now_ns() `",
        "t := time.parse_rfc3339_ns(data.audit.as_of)",
        "r := input.http.send",  # a field of the evidence, not the builtin
        "now_ns := 1\nsend := now_ns",
    ],
)
def test_mentions_that_are_not_uses_are_allowed(body: str, tmp_path: Path) -> None:
    assert lint(source(body, tmp_path)) == []


def test_calls_are_read_from_tokens(tmp_path: Path) -> None:
    src = source('x := count(\n  [1])\ny := strings.\n  replace_n({"a": "b"}, "s")\n# z := sum([1])', tmp_path)
    assert src.calls() == {"count": 5, "strings.replace_n": 7}


def test_refs_report_the_head_of_each_reference_with_its_line() -> None:
    refs = [(r.name, r.line, r.called) for r in rego_refs('a := input.x["y"].z\nb := f(a)[0].g\n')]
    assert refs == [("a", 1, False), ("input.x.y.z", 1, False), ("b", 2, False), ("f", 2, True), ("a", 2, False)]
