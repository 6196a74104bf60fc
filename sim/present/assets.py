"""Offline front-end assets for the classroom demo.

Solara's page loads its JavaScript, CSS and fonts from a CDN unless they are in its asset proxy
cache (``solara.server.settings.assets.proxy_cache_dir``, by default ``<venv>/share/solara/cdn``,
overridable with ``SOLARA_ASSETS_PROXY_CACHE_DIR``). The project depends on the PyPI package
``solara-assets``, which installs the npm packages solara asks for into that folder, so the
page works with no internet. Its versions lag solara's, so this module reads the exact asset
paths the installed solara asks for (from its page template and grid-layout widget) and reports
any that are missing, instead of letting a classroom discover it as a blank page.
"""

from __future__ import annotations

import re
from pathlib import Path

# Matches "@scope/name@1.2.3/..." or "name@1.2.3/..." asset paths in solara's sources.
_ASSET = re.compile(r"(?:\{\{\s*cdn\s*\}\}|\$\{this\.getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@"
                    r"[\w.-]+/[^\"'`\s]*?)(?:\{\{|[\"'`\s])")


def _solara_dir() -> Path:
    import solara  # noqa: PLC0415 (solara is heavy; only the demo needs it)

    return Path(solara.__file__).parent


def required_packages() -> list[str]:
    """List the ``name@version`` npm packages the installed solara loads for a Vuetify-2 page.

    Read from solara's page template (the Vuetify-2 branch; ipyvuetify is pinned below 3) and
    its grid-layout widget, plus the Font Awesome stylesheet named in solara's settings.
    """
    root = _solara_dir()
    found: set[str] = set()
    template = (root / "server/templates/solara.html.j2").read_text(encoding="utf-8")
    sources = [template, (root / "widgets/vue/gridlayout.vue").read_text(encoding="utf-8")]
    for text in sources:
        for path in _ASSET.findall(text):
            pkg = "/".join(path.split("/")[:2]) if path.startswith("@") else path.split("/")[0]
            found.add(pkg)
    found = {p for p in found if "vuetify3" not in p}  # the Vuetify-3 page is not used
    from solara.server import settings  # noqa: PLC0415

    found.add(settings.assets.fontawesome_path.strip("/").split("/")[0])
    return sorted(found)


def cache_dir() -> Path:
    """Return where solara's asset proxy looks for (and would store) CDN files."""
    from solara.server import settings  # noqa: PLC0415

    return Path(settings.assets.proxy_cache_dir)


def missing_packages(directory: Path | None = None) -> list[str]:
    """List required packages absent from the asset cache (none: the page works offline)."""
    d = cache_dir() if directory is None else Path(directory)
    return [p for p in required_packages() if not (d / p).is_dir()]


def offline_note(directory: Path | None = None) -> str:
    """Say in one line whether the page will work without internet, and why not."""
    d = cache_dir() if directory is None else Path(directory)
    missing = missing_packages(d)
    if not missing:
        return f"front-end assets: all found in {d} (works offline)"
    return (f"warning: front-end assets missing from {d}: {', '.join(missing)}; the page will "
            f"try to fetch them from the internet. See docs/demo.md, 'Offline'.")
