"""Does the GIL serialize zarrc? The same reads in one thread vs spread over several threads.

As pandas' asv ``gil.py``: ``run_parallel(n)`` turns a function into one that runs it in `n`
threads at once. ``ParallelReads`` does a fixed number of single-chunk reads (each one takes
the short path, with no pool) in 1 thread (serial) or split over 2 or 4 user threads: with
decompression and copies outside the GIL, time falls toward serial/cores. ``EngineThreads``
reads and writes the whole array with the engine's own pool sized 1 (serial) or more.
"""

import functools
import threading

import zarrc

from ._data import CODECS, SIDE, field, scratch_dir, stored_array, write_array

CHUNK = 256
READS = 16  # single-chunk reads per call, whatever the number of threads


def run_parallel(num_threads: int):
    """Decorator: the call runs ``fn(i, *args)`` in each of `num_threads` threads, i = 0..n-1.

    The threads start together (a barrier) and the call returns when all are done, re-raising
    the first error of any of them.
    """

    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            barrier = threading.Barrier(num_threads)
            errors = []

            def target(i):
                barrier.wait()
                try:
                    fn(i, *args, **kwargs)
                except BaseException as exc:  # reported to the caller below
                    errors.append(exc)

            threads = [threading.Thread(target=target, args=(i,)) for i in range(num_threads)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if errors:
                raise errors[0]

        return run

    return decorate


class ParallelReads:
    params = (list(CODECS), [1, 2, 4])
    param_names = ["codec", "threads"]

    def setup(self, codec, threads):
        array = zarrc.open_array(stored_array(codec, CHUNK), mode="r")
        per_row = SIDE // CHUNK
        regions = [(slice(r * CHUNK, (r + 1) * CHUNK), slice(c * CHUNK, (c + 1) * CHUNK))
                   for r, c in (divmod(k % per_row**2, per_row) for k in range(READS))]

        @run_parallel(threads)
        def read_share(i):
            for region in regions[i::threads]:
                array[region]

        self.read = read_share

    def time_reads(self, codec, threads):
        self.read()


class EngineThreads:
    params = (["none", "zstd1", "blosc_lz4_shuffle"], [1, 2, 4])
    param_names = ["codec", "threads"]

    def setup(self, codec, threads):
        self.saved = zarrc.config.get("threads")
        zarrc.config.set(threads=threads)
        self.array = zarrc.open_array(stored_array(codec, CHUNK), mode="r")
        self.data = field()
        self.path = scratch_dir()

    def teardown(self, codec, threads):
        zarrc.config.set(threads=self.saved)

    def time_read_full(self, codec, threads):
        self.array[...]

    def time_write_full(self, codec, threads):
        write_array(self.path, self.data, codec, CHUNK)
