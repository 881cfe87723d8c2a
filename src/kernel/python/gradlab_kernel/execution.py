# SPDX-License-Identifier: GPL-3.0-or-later
"""Running a cell like a notebook does: all statements, then the value of a
final expression displayed; errors as Python prints them, without the
kernel's own frames."""

import ast
import io
import linecache
import os
import tokenize
import traceback

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _internal(filename):
    return filename is not None and filename.startswith(_PACKAGE_DIR)


def _cell_frame(filename):
    return filename is not None and filename.startswith(("<cell ", "<silent cell>"))


def _hide_internal(te, seen):
    while te is not None and id(te) not in seen:
        seen.add(id(te))
        frames = list(te.stack)
        if frames and _internal(frames[0].filename):
            # what the kernel called before the cell's code (exec, and
            # ast.parse for syntax errors) is not the learner's
            first = next((i for i, f in enumerate(frames) if _cell_frame(f.filename)), len(frames))
            frames = frames[first:]
        if len(frames) != len(te.stack) or any(_internal(f.filename) for f in frames):
            te.stack = traceback.StackSummary.from_list(
                [f for f in frames if not _internal(f.filename)])
        if te.__cause__ is not None:
            _hide_internal(te.__cause__, seen)
        te = te.__context__


def format_error(exc):
    """{ename, evalue, traceback}: traceback is Python's text as a list of
    strings (join them with "" to print), the kernel's frames left out."""
    try:
        te = traceback.TracebackException(type(exc), exc, exc.__traceback__, compact=True)
        _hide_internal(te, set())
        lines = list(te.format())
    except Exception as e:     # a broken exception class: still say something
        lines = ["%s: <the error could not be formatted: %r>\n" % (type(exc).__name__, e)]
    try:
        evalue = str(exc)
    except Exception:
        evalue = "<exception str() failed>"
    return {"ename": type(exc).__name__, "evalue": evalue, "traceback": lines}


def ends_with_semicolon(source):
    """A notebook hides the value of a cell whose code ends with ';'."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    skip = (tokenize.ENDMARKER, tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT,
            tokenize.INDENT, tokenize.DEDENT)
    for tok in reversed(tokens):
        if tok.type in skip:
            continue
        return tok.type == tokenize.OP and tok.string == ";"
    return False


def compile_cell(source, filename, display_last):
    """Code objects (statements, last expression or None).  Registers the
    source with linecache so tracebacks and inspect show the cell's lines."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    tree = ast.parse(source, filename, "exec")
    last = None
    if display_last and tree.body and isinstance(tree.body[-1], ast.Expr) \
            and not ends_with_semicolon(source):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec", dont_inherit=True)
    value = compile(last, filename, "eval", dont_inherit=True) if last is not None else None
    return body, value
