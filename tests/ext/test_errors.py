"""The one mapping from ZC_E_* kernel codes to Python exceptions (zarrc._ext._errors)."""

from __future__ import annotations

import pytest

from zarrc._ext._errors import ERRORS, MAXDIM, raise_for_code
from zarrc.errors import CodecError

# the codes as csrc/zc_common.h defines them
EXPECTED = {-1: ValueError, -2: ValueError, -3: ValueError, -4: ValueError, -5: TypeError,
            -6: ValueError, -7: CodecError}


@pytest.mark.parametrize(("code", "exc"), sorted(EXPECTED.items()))
def test_codes_map_to_exceptions(code, exc):
    with pytest.raises(exc, match="^copy_view: "):
        raise_for_code(code, "copy_view")


def test_table_is_complete():
    assert set(ERRORS) == set(EXPECTED)
    assert MAXDIM == 64


def test_success_and_unknown_codes():
    assert raise_for_code(0) is None
    assert raise_for_code(12345) is None  # counts returned by kernels are not errors
    with pytest.raises(RuntimeError, match="unknown kernel error code -99"):
        raise_for_code(-99)
