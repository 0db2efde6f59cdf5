"""User guide, "Runtime configuration": ``zarrc.config`` is a donfig Config with zarr-python's
interface and keys, plus zarrc's own ``threads`` and ``write_empty_chunks``."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import donfig
import numpy as np
import pytest

import zarrc
from zarrc.engine import pool


def test_get_and_set_like_zarr_python(same_output):
    def example(z):
        print(z.config.get("array.order"), z.config.get("default_zarr_format"))
        with z.config.set({"array.order": "F", "array.write_empty_chunks": True}):
            print(z.config.get("array.order"), z.config.get("array.write_empty_chunks"))
            print(z.create_array({}, shape=(2, 2), dtype="i1").config)
        print(z.config.get("array.order"), z.config.get("threading.max_workers"))

    same_output(example)


def test_config_is_a_donfig_config_with_zarr_pythons_keys():
    assert isinstance(zarrc.config, donfig.Config)
    out = io.StringIO()
    zarrc.config.pprint(stream=out, width=60)
    text = out.getvalue()
    for key in ("'array'", "'order': 'C'", "'write_empty_chunks': False",
                "'default_zarr_format': 3", "'threading': {'max_workers': None}"):
        assert key in text
    assert zarrc.config.get("missing.key", 5) == 5
    with pytest.raises(KeyError):
        zarrc.config.get("missing.key")


def test_zarrc_keys_are_aliases():
    cores = max(1, os.cpu_count() or 1)
    assert zarrc.config.get("threads") == cores
    with zarrc.config.set(threads=3):
        assert zarrc.config.get("threading.max_workers") == 3 == zarrc.config.get("threads")
        with zarrc.config.set({"write_empty_chunks": True}):
            assert zarrc.config.get("array.write_empty_chunks") is True
    assert zarrc.config.get("threads") == cores
    assert zarrc.config.get("write_empty_chunks") is False
    with zarrc.config.override(threads=2):  # zarrc's earlier spelling
        assert zarrc.config.get("threads") == 2


@pytest.mark.parametrize("values", [{"threads": 0}, {"threads": "2"},
                                    {"array.order": "X"}, {"default_zarr_format": 4},
                                    {"array": {"write_empty_chunks": "yes"}}])
def test_bad_values_are_refused_and_change_nothing(values):
    before = zarrc.config.to_dict()
    with pytest.raises(ValueError):
        zarrc.config.set(values)
    assert zarrc.config.to_dict() == before


def test_the_pool_follows_the_threads_setting():
    seen = []
    with zarrc.config.set(threads=3):
        pool.run_tasks(lambda i: seen.append(i), range(10))
        assert pool.get_executor()._max_workers == 3
    pool.get_executor()
    assert pool.get_executor()._max_workers == zarrc.config.get("threads")
    assert sorted(seen) == list(range(10))


def test_environment_variables():
    code = ("import zarrc; print(zarrc.config.get('array.order'), zarrc.config.get('threads'), "
            "zarrc.config.get('default_zarr_format'), zarrc.create_group({}).zarr_format)")
    env = {**os.environ, "ZARRC_ARRAY__ORDER": "F", "ZARRC_THREADS": "3",
           "ZARRC_DEFAULT_ZARR_FORMAT": "2"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["F", "3", "2", "2"]
    env["ZARRC_THREADS"] = "0"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "positive integer" in bad.stderr


def test_array_settings_come_from_the_config():
    with zarrc.config.set({"array.write_empty_chunks": True}):
        a = zarrc.create_array({}, shape=(4,), chunks=(2,), dtype="u1")
    a[:] = 0
    assert a.config.write_empty_chunks and a.nchunks_initialized == 2
    np.testing.assert_array_equal(a[:], 0)


def test_replacing_a_whole_section_keeps_defaults_for_the_missing_keys():
    with zarrc.config.set({"array": {"order": "F"}}):  # donfig replaces the section
        a = zarrc.create_array({}, shape=(2, 2), dtype="i1")
    assert a.config.order == "F" and a.config.write_empty_chunks is False
