"""The one JSON loader for everything that reads JSON from outside: the import page and command,
the API's request bodies. It refuses what the standard library lets through or dies on:

- a key twice in one object (SPEC §7: a duplicate key rejects the file; json keeps the last);
- a lone surrogate (`"\\ud800"`), which is no character and cannot be stored or written as UTF-8;
- NUL, which PostgreSQL cannot store in text and no one means;
- nesting deeper than MAX_DEPTH (`[` × 100,000 exhausts the parser's recursion);
- NaN and Infinity, which are not JSON;
- bytes that are not UTF-8.

Each refusal is a `JsonRejected` with a message a person can act on; nothing has been changed.
"""
import json

MAX_DEPTH = 64  # the register format nests 5 deep; decisions 4


class JsonRejected(ValueError):
    """The text is not JSON this product accepts; str(error) says why, in words."""


class _DuplicateKey(Exception):
    def __init__(self, key, pairs):
        self.key, self.pairs = key, pairs


def _object(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key, pairs)
        result[key] = value
    return result


class _Constant(Exception):
    pass


def _no_constant(name):
    raise _Constant(name)


def load_json(data, what="The file", max_depth=MAX_DEPTH):
    """Parse `data` (bytes or str) into Python values, or raise JsonRejected naming the problem."""
    if isinstance(data, (bytes, bytearray)):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise JsonRejected(f"{what} is not UTF-8 text (a byte at position {error.start} cannot be read)") from None
    else:
        text = data
    try:
        value = json.loads(text, object_pairs_hook=_object, parse_constant=_no_constant)
    except _DuplicateKey as duplicate:
        raise JsonRejected(f"{what} has the key {duplicate.key!r} twice in one object{_which(duplicate.pairs)}: "
                           "each key may appear once") from None
    except _Constant as constant:
        raise JsonRejected(f"{what} has {constant}, which is not a JSON value: write numbers as digits") from None
    except RecursionError:
        raise JsonRejected(f"{what} is nested too deeply (more than {max_depth} levels of brackets)") from None
    except json.JSONDecodeError as error:
        raise JsonRejected(f"{what} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
    _check(value, what, max_depth)
    return value


def _which(pairs):
    """Which object, for a person to find it: its reference, slug or email when it has one."""
    for name in ("reference", "slug", "email", "organisation", "case_reference"):
        for key, value in pairs:
            if key == name and isinstance(value, str):
                return f" (the one with {name} {value[:80]!r})"
    return ""


def _check(value, what, max_depth):
    """Depth, and the characters of every string and key: a quick pass, then a second one that
    finds the path of the first problem to name it."""
    problem = _first_problem(value, max_depth, with_path=False)
    if problem is None:
        return
    problem, path = _first_problem(value, max_depth, with_path=True)
    if problem == "depth":
        raise JsonRejected(f"{what} is nested too deeply (more than {max_depth} levels of brackets)")
    if problem == "nul":
        raise JsonRejected(f"{what} has a NUL character (\\u0000) at {path or '/'}, which is not allowed")
    raise JsonRejected(
        f"{what} has a lone surrogate (such as \\ud800, half of a character) at {path or '/'}: it is no character "
        "and cannot be stored"
    )


def _text_problem(text):
    if "\x00" in text:
        return "nul"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "surrogate"
    return None


def _first_problem(value, max_depth, with_path):
    stack = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                return (problem, path) if with_path else problem
            continue
        if depth > max_depth:
            return ("depth", path) if with_path else "depth"
        children = item.items() if isinstance(item, dict) else enumerate(item)
        for key, child in children:
            if isinstance(key, str):
                problem = _text_problem(key)
                if problem:
                    return (problem, f"{path}/{key!r}") if with_path else problem
            if isinstance(child, (str, dict, list)):
                stack.append((child, depth + 1, f"{path}/{key}" if with_path else ""))
    return None
