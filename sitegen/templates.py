"""The Jinja environment: loaders, filters and globals; template errors with lines."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, MutableMapping
from pathlib import Path
from types import BuiltinFunctionType, CodeType, FunctionType
from typing import Any

import jinja2
import jinja2.runtime
from markupsafe import Markup, escape

from .config import Settings
from .dates import human_date
from .errors import ErrorCollector, TemplateError
from .model import TYPE_LABELS, ArchiveDate


def _json_for_script(data: Any) -> Markup:
    """JSON safe inside a `<script>` element: no `</script>`, `<!--` or `&` breaks out."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_DICT_ATTRIBUTES = frozenset(dir(dict))

try:  # MarkupSafe 3's escape() is Python around this, with Markup.__new__ on top
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover - MarkupSafe 2's escape() is C throughout
    _escape_inner = None


def _escape(value: Any) -> Markup:
    """`markupsafe.escape`, for what templates print: a plain string, as most are, without
    the two Python calls around the escaping in C (about a tenth of a page's render)."""
    if type(value) is str:
        return str.__new__(Markup, _escape_inner(value))
    return escape(value)


class _Template(jinja2.Template):
    """Jinja's template, printing through `_escape`; pages render the same bytes."""

    @classmethod
    def from_code(
        cls,
        environment: jinja2.Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        if _escape_inner is not None:
            # The compiled module's functions (root and blocks) share its namespace and
            # read `escape` from it as they run.
            template.root_render_func.__globals__["escape"] = _escape
        return template


class _Context(jinja2.runtime.Context):
    """Jinja's context, with calls made cheaper; pages render the same bytes."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """`url(...)`, `path.startswith(...)`: a call that cannot ask for the context.

        Jinja probes every callable for `pass_context` and its kin, three attribute lookups
        of which two fail, raising and catching an exception: a page makes some thirty
        calls, and the probes were a twentieth of its time. A function in C has no such
        attribute, and a Python function would have it in its own `__dict__`; any other
        callable takes Jinja's way.
        """
        kind = type(__obj)
        if kind is BuiltinFunctionType or (
            kind is FunctionType and "jinja_pass_arg" not in __obj.__dict__
        ):
            if kwargs:  # what Jinja passes for the callables that take the context
                kwargs.pop("_loop_vars", None)
                kwargs.pop("_block_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Jinja answers it
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__obj, *args, **kwargs)


class _Environment(jinja2.Environment):
    """Jinja as it is, with escaping, calls and two lookups made cheaper; pages render the
    same bytes."""

    context_class = _Context
    template_class = _Template

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`view.title` on a plain dict: the key, without the failed attribute lookup first.

        Jinja tries the attribute and then the key; a dict has no attribute by a name
        other than its methods', so trying the key first gives the same answer. A failed
        lookup raises and catches an exception, 1.5 us against 0.2: pages read their views
        (cards, people, meta) by attribute some 150 times each, a sixth of their time.
        """
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass  # undefined: Jinja's own lookup makes the error
        return super().getattr(obj, attribute)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template with no globals of its own reads the environment's dict itself.

        Jinja's default is a ChainMap over both, which every page render and every include
        copies and lists the keys of (`dict(globals)`, `set(globals)`) in Python, key by
        key: a tenth of the time a page takes here. The renderer's later changes to the
        environment's globals are seen all the same; sitegen never passes a template
        globals of its own.
        """
        return self.globals if not d else super().make_globals(d)


def make_environment(
    folders: list[Path],
    settings: Settings,
    asset_url: Callable[[str], str],
    bytecode_dir: Path | None = None,
) -> jinja2.Environment:
    """A sandbox-free but strict environment: autoescape on, undefined names fail."""
    bytecode = None
    if bytecode_dir is not None:
        try:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
        except OSError:
            bytecode = None  # compiling every time is slower, not wrong
    env = _Environment(
        bytecode_cache=bytecode,
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(f)) for f in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        # Unbounded: a plain dict. The default LRU cache reorders a deque on every
        # lookup, and a page looks its partials up a few dozen times.
        cache_size=-1,
    )
    base_path = settings.base_path
    absolute = settings.origin + base_path

    def url(path: str = "") -> str:
        return base_path + path.lstrip("/")

    def abs_url(path: str = "") -> str:
        return absolute + path.lstrip("/")

    def date_text(value: ArchiveDate | None, language: str | None = None) -> str:
        return human_date(value, language or settings.language) if value else ""

    env.globals.update(
        site=settings,
        url=url,
        abs_url=abs_url,
        asset=asset_url,
        type_label=lambda t, plural=False: TYPE_LABELS.get(t, (t.title(), t.title()))[plural],
    )
    env.filters.update(human_date=date_text, json_script=_json_for_script)
    return env


def check_templates(env: jinja2.Environment, errors: ErrorCollector) -> None:
    """Compile every template so a syntax error anywhere is reported, with its line."""
    for name in sorted(set(env.list_templates())):
        if name.startswith(".") or not name.endswith((".html", ".xml", ".txt")):
            continue
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            errors.add(template_error(exc, name))


def template_error(
    exc: Exception, name: str | None, env: jinja2.Environment | None = None
) -> TemplateError:
    """A Jinja exception as our error, naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or (f"templates/{exc.name or name}")
        return TemplateError(
            f"syntax error: {exc.message}", where, exc.lineno, hint="check the tag"
        )
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(
            f"template not found: {exc.name}",
            f"templates/{name}" if name else None,
            hint="add it to templates/ or fix the name",
        )
    filename, line = _innermost_template_frame(exc)
    if isinstance(exc, jinja2.UndefinedError):
        return TemplateError(
            f"undefined value: {exc.message}",
            filename or f"templates/{name}",
            line,
            hint="check the variable's name, or guard it with `is defined`",
        )
    return TemplateError(f"{type(exc).__name__}: {exc}", filename or f"templates/{name}", line)


def _innermost_template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The last traceback frame that is a template (Jinja rewrites them to template lines)."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")) or "<template>" in filename:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


_REFERENCE = re.compile(r"""{%-?\s*(extends|include|import|from)\s+(["'][^"']+["']|\S+)""")


def template_dependencies(env: jinja2.Environment, name: str) -> frozenset[str] | None:
    """Every template `name` extends, includes or imports, itself included.

    Read from the tags' text rather than a parse, which costs as much as a
    compile; None when a template names another through a variable, so the
    caller can assume it depends on every template.
    """
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source = env.loader.get_source(env, current)[0]  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            continue
        for _, target in _REFERENCE.findall(source):
            if target[0] not in "\"'":
                return None
            pending.append(target[1:-1])
    return frozenset(seen)
