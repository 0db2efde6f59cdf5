"""Every code example of README.md and docs/ runs, with its printed output checked
(doc_examples.py says how a page shows output and how a block opts out).

Each page runs in a subprocess of its own, in a fresh directory: a page that registers a codec,
changes a setting or writes ``example.zarr`` leaves nothing behind for the next. A page added
under docs/ is collected without listing it anywhere.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from doc_examples import ROOT, DocExampleError, blocks, pages, run_page

RUNNER = ROOT / "tests" / "docs" / "doc_examples.py"
PAGES = [p for p in pages() if any(b.kind != "network" for b in blocks(p))]
NETWORK = [b for p in pages() for b in blocks(p) if b.kind == "network"]


def _params():
    for page in PAGES:
        yield pytest.param(page, id=str(page.relative_to(ROOT)))
    for block in NETWORK:  # each opt-out is a listed skip: `pytest -ra` names it
        reason = f"docs example not run, {block.first_line.lstrip('# ')}: {block.where}"
        yield pytest.param(block, id=block.where, marks=pytest.mark.skip(reason=reason))


@pytest.mark.parametrize("page", list(_params()))
def test_docs_examples_run(page, tmp_path):
    proc = subprocess.run(
        [sys.executable, str(RUNNER), str(page)], cwd=tmp_path, capture_output=True,
        text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]


def test_the_readme_and_the_guide_pages_have_examples():
    names = {str(p.relative_to(ROOT)) for p in PAGES}
    for page in ["README.md", "docs/quickstart.md", "docs/arrays.md", "docs/groups.md",
                 "docs/indexing.md", "docs/codecs.md", "docs/pipelines.md", "docs/dask.md",
                 "docs/xarray.md", "docs/streaming.md"]:
        assert page in names


# -- the runner itself: it fails where a page is wrong ----------------------------------------


def _page(tmp_path, text: str):
    page = tmp_path / "page.md"
    page.write_text(textwrap.dedent(text))
    return page


def test_printed_output_is_compared_with_the_output_block(tmp_path):
    page = _page(tmp_path, '''
        ```python
        x = 6 * 7
        print(x, "and", [1, 2, 3])
        ```

        ```text title="Output"
        42 and [1, ...]
        ```
        ''')
    assert run_page(page, tmp_path) == 1
    page.write_text(page.read_text().replace("42 and", "41 and"))
    with pytest.raises(DocExampleError, match=r"page.md:3: printed output differs"):
        run_page(page, tmp_path)


def test_doctest_blocks_check_each_output_and_share_the_namespace(tmp_path):
    page = _page(tmp_path, '''
        ```python
        import math
        ```

        ```pycon
        >>> math.sqrt(16)
        4.0
        >>> y = 3
        ```

        ```python
        assert y == 3
        ```
        ''')
    assert run_page(page, tmp_path) == 3
    page.write_text(page.read_text().replace("4.0", "5.0"))
    with pytest.raises(DocExampleError, match="page.md:7: doctest failed"):
        run_page(page, tmp_path)


def test_an_exception_names_the_page_line(tmp_path):
    page = _page(tmp_path, '''
        Text.

        ```python
        a = 1
        b = a / 0
        ```
        ''')
    with pytest.raises(DocExampleError, match=r"page.md:5: the example raised") as info:
        run_page(page, tmp_path)
    assert 'page.md", line 6' in str(info.value)  # the traceback points into the page


def test_file_blocks_are_importable_modules_and_network_blocks_do_not_run(tmp_path):
    page = _page(tmp_path, '''
        ```python
        # file: docs_helper_mod.py
        VALUE = 11
        ```

        ```python
        # needs the network: s3://bucket
        raise AssertionError("ran")
        ```

        1. In a list:

            ```python
            import docs_helper_mod
            assert docs_helper_mod.VALUE == 11
            ```
        ''')
    sys.path.insert(0, str(tmp_path))
    try:
        assert run_page(page, tmp_path) == 1
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("docs_helper_mod", None)
    assert [b.kind for b in blocks(page)] == ["file", "network", "exec"]


@pytest.mark.parametrize("text, message", [
    ('''
        ```python
        print(1)
        ```

        Some text between: the Output block below would look checked and be ignored.

        ```text title="Output"
        1
        ```
        ''', "page.md:9: an Output block must follow"),
    ('''
        ```python
        # needs a GPU
        ```
        ''', "page.md:3: the only opt-out"),
])
def test_pages_that_would_mislead_are_refused(tmp_path, text, message):
    with pytest.raises(DocExampleError, match=message):
        blocks(_page(tmp_path, text))


def test_other_languages_do_not_run(tmp_path):
    page = _page(tmp_path, '''
        ```bash
        exit 1
        ```

        ```text
        not python
        ```
        ''')
    assert blocks(page) == [] and run_page(page, tmp_path) == 0
