"""User guide, "Optimizing performance": chunk shapes, sharding, memory order, empty chunks,
pickling."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import zarrc


def test_chunk_shapes_given_and_guessed(same_output):
    def example(z):
        for chunks in ((50, 4000), (4000, 50), "auto", (4000, 4000)):
            print(z.create_array(store={}, shape=(4000, 4000), chunks=chunks, dtype="int16").chunks)
        print(z.create_array(store={}, shape=(123, 4567, 89), chunks="auto", dtype="f8").chunks)

    same_output(example)


def test_sharded_array_info_without_data(same_output):
    def example(z):
        a = z.create_array(store={}, shape=(2000, 3000, 100), shards=(1000, 1000, 100),
                           chunks=(100, 100, 50), dtype="int8")
        print(a.info)

    same_output(example)


def test_memory_order_from_config_and_global_setting(same_output):
    def example(z):
        x = np.arange(60 * 80, dtype="int32").reshape(80, 60).T
        c = z.create_array(store={}, shape=x.shape, chunks=(30, 40), dtype=x.dtype,
                           config={"order": "C"})
        c[:] = x
        with z.config.set({"array.order": "F"}):
            f = z.create_array(store={}, shape=x.shape, chunks=(30, 40), dtype=x.dtype)
        f[:] = x
        print(c.order, f.order, c.config, f.config)
        print(np.array_equal(c[:], f[:]), f[:].flags.f_contiguous)

    same_output(example)


@pytest.mark.parametrize("write_empty_chunks, stored", [(True, 6), (False, 0)])
def test_empty_chunks(same_output, write_empty_chunks, stored):
    def example(z):
        a = z.create_array(f"e{write_empty_chunks}.zarr", shape=(6000,), chunks=(1000,),
                           dtype="uint8", fill_value=3,
                           config={"write_empty_chunks": write_empty_chunks})
        print(a.config.write_empty_chunks)
        a[:] = np.arange(6000) % 7
        print(a.nchunks_initialized)
        a[:] = 3
        print(a.nchunks_initialized)

    assert same_output(example).splitlines()[-1] == str(stored)
    assert zarrc.create_array({}, shape=(1,), dtype="u1").config.write_empty_chunks is False


def test_pickled_array_equals_the_original(tmp_path, same_output):
    def example(z):
        data = np.arange(5000)
        a = z.create_array(store="pk.zarr", shape=data.shape, chunks=(1000,), dtype=data.dtype)
        a[:] = data
        b = pickle.loads(pickle.dumps(a))
        print(a == b, np.all(a[:] == b[:]), b)

    same_output(example)
    g = zarrc.create_group(str(tmp_path / "g.zarr"))
    g.create_array("x", shape=(2,), dtype="i1")
    h = pickle.loads(pickle.dumps(g))
    assert h == g and list(h) == ["x"]
