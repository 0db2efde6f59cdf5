"""The docs site in a real browser: headless Chromium opens the home page, the API reference
of ``zarrc.Array`` and a search for ``oindex`` from site/ served on loopback, and no page logs
a console error.

The site is the one ``scripts/test.sh`` just built (``ZARRC_DOCS_SITE``), or else built here
into a temporary directory. Without Chromium (the setup script installs Debian's ``chromium``
when it runs as root) the test skips, saying so.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from doc_examples import ROOT

CHROMIUM_MISSING = ("chromium is not installed: `bash scripts/setup-venv.sh docs` installs "
                    "Debian's chromium when run as root")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    given = os.environ.get("ZARRC_DOCS_SITE")
    if given:
        return Path(given)
    pytest.importorskip("mkdocs", reason="the docs extra is not installed "
                        "(bash scripts/setup-venv.sh docs)")
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",  # never --quiet:
                           "--site-dir", str(out)], cwd=ROOT, capture_output=True,  # it hides
                          text=True, env=env, timeout=600)  # the warnings strict mode counts
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


@contextlib.contextmanager
def serve(directory: Path):
    """`directory` over HTTP on 127.0.0.1 (a free port); yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from cdp import Browser, find_chromium

    executable = find_chromium()
    if executable is None:
        pytest.skip(CHROMIUM_MISSING)
    b = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


@pytest.fixture
def page(browser):
    p = browser.new_page()
    yield p
    p.close()


# The page is styled (the theme's CSS applied) and laid out (the header, the navigation and the
# content have a size), and the theme's JavaScript ran (it marks the body).
RENDERED = """(() => {
  const header = document.querySelector('header.md-header');
  const content = document.querySelector('article.md-content__inner');
  const nav = document.querySelector('nav.md-nav--primary');
  if (!header || !content || !nav) return null;
  const style = getComputedStyle(header);
  return {
    title: document.title,
    h1: (content.querySelector('h1') || {}).textContent,
    headerStyled: style.position === 'sticky' && style.backgroundColor !== 'rgba(0, 0, 0, 0)',
    laidOut: header.offsetHeight > 0 && content.offsetHeight > 100 && nav.offsetHeight > 0,
    navLinks: nav.querySelectorAll('a.md-nav__link').length,
    scripted: document.body.dataset.mdColorScheme !== undefined,
  };
})()"""


def _check_rendered(page, expected_h1: str) -> dict:
    state = page.wait_for(RENDERED)
    assert expected_h1 in state["h1"].replace("\xb6", "").strip(), state
    assert state["headerStyled"] and state["laidOut"] and state["scripted"], state
    assert state["navLinks"] >= 10, state
    return state


def test_home_page_renders_without_console_errors(server, page):
    page.goto(server + "/")
    state = _check_rendered(page, "zarrc")
    assert state["title"].startswith("zarrc")
    links = page.evaluate("[...document.querySelectorAll('nav.md-nav--primary .md-nav__link')]"
                          ".map(a => a.textContent.trim())")
    for title in ("Getting started", "Arrays", "Indexing", "API reference", "Changelog"):
        assert title in links
    assert page.settle() == []


def test_array_reference_renders_its_members(server, page):
    page.goto(server + "/reference/zarrc.Array/")
    _check_rendered(page, "zarrc.Array")
    members = page.evaluate(
        "[...document.querySelectorAll('.doc-heading')].map(h => h.id)")
    for name in ("oindex", "vindex", "iter_chunks", "resize", "get_basic_selection"):
        assert f"zarrc.array.Array.{name}" in members
    text = page.evaluate("document.querySelector('article').innerText")
    assert "A Zarr array in a store" in text  # the class docstring
    assert page.settle() == []


def test_search_finds_oindex(server, page):
    page.goto(server + "/?q=oindex")
    _check_rendered(page, "zarrc")
    results = page.wait_for("""(() => {
      const items = [...document.querySelectorAll('.md-search-result__item a')];
      return items.length ? items.map(a => [a.getAttribute('href'), a.innerText]) : null;
    })()""")
    assert page.evaluate("document.querySelector('input.md-search__input').value") == "oindex"
    assert all("oindex" in (href + text).lower() or href.endswith("?h=")  # page titles
               for href, text in results), results
    assert any(href.endswith("/reference/zarrc.Array/?h=oindex#zarrc.array.Array.oindex")
               for href, _ in results), results
    assert page.settle() == []


def test_the_browser_reports_console_errors_and_failed_loads(page, tmp_path):
    """The check the three pages pass: it does see a console error, an uncaught exception and
    a missing file."""
    (tmp_path / "bad.html").write_text(
        "<html><body><img src='missing.png'>"
        "<script>console.error('boom'); setTimeout(() => { throw new Error('late'); });</script>"
        "</body></html>")
    with serve(tmp_path) as url:
        page.goto(url + "/bad.html")
        errors = page.settle(1.0)
    assert any("console.error: boom" in e for e in errors), errors
    assert any("uncaught exception" in e and "late" in e for e in errors), errors
    assert any("404" in e and "missing.png" in e for e in errors), errors
