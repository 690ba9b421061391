"""Where templates and assets come from: the site's folders first, then the default theme."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def theme_dir(kind: str) -> Path:
    """The default theme's `templates` or `assets` folder.

    A wheel carries the theme inside the package (`sitegen/theme/`); an editable
    install does not, so it falls back to the checkout's top-level folders.
    """
    packaged = Path(str(resources.files("sitegen") / "theme" / kind))
    if packaged.is_dir():
        return packaged
    return _CHECKOUT / kind


def search_path(site_dir: Path, kind: str) -> list[Path]:
    """Folders to look in, site first; the theme is left out when it is the site itself."""
    own = site_dir / kind
    default = theme_dir(kind)
    folders = [own] if own.is_dir() else []
    if not folders or own.resolve() != default.resolve():
        folders.append(default)
    return folders
