"""Native chunk loops of writes: whole chunks encoded and stored, shards' inner chunks encoded
(wraps ``csrc/zc_chunkwrite.c``), GIL released.

:class:`ChunkWrite` encodes the chunks a plan covers whole and stores them in files (a store's
``LocalFiles`` and write protocol, given as data) or in one buffer the caller stores from;
chunks covered in part or holding only the fill value are left to the caller (its outcome
table). :class:`ChunkEncode` encodes whole chunks of a box one after another (a shard's).
"""

from cpython.buffer cimport PyBuffer_Release
from libc.stdint cimport int64_t
from libc.string cimport memset

import numpy as np

from zarrc._ext cimport csrc
from zarrc._ext._errors cimport check
from zarrc._ext.chunkio cimport (
    Decompressor,
    _ChunkBox,
    _outcome,
    _scratch_views,
    _set_stats,
)

from zarrc._ext.chunkio import CODECS, blosc_has

from zarrc.errors import CodecError

# outcomes of a write's chunk that the caller handles (ChunkWrite.run's outcome rows)
OUT_PARTIAL = csrc.ZC_OUT_PARTIAL
OUT_EMPTY = csrc.ZC_OUT_EMPTY


cdef bytes _encoding(str what, csrc.zc_encode_params *enc, codec, int level, bint checksum,
                     int shuffle, int typesize, Py_ssize_t blocksize, str cname):
    """Check and store an encoder's settings; returns the bytes `enc.cname` points into."""
    if codec not in CODECS or csrc.zc_codec_encodes(CODECS[codec]) != 1:
        raise ValueError(f"{what}: this build does not encode codec {codec!r}")
    if shuffle not in (0, 1, 2) or typesize < 1 or blocksize < 0:
        raise ValueError(f"{what}: bad blosc settings shuffle={shuffle} typesize={typesize} "
                         f"blocksize={blocksize}")
    if codec == "blosc" and not blosc_has(cname):
        raise ValueError(f"{what}: libblosc has no compressor {cname!r}")
    name = cname.encode("ascii")
    enc.level = level
    enc.checksum = checksum
    enc.shuffle = shuffle
    enc.typesize = typesize
    enc.blocksize = blocksize
    enc.cname = name
    return name


cdef class ChunkWrite(_ChunkBox):
    """One write of whole chunks: the source box, the plans that place it, how chunks are coded
    and where they go.

    Parameters are :class:`ChunkRead`'s (``box`` is the source here and may be read-only),
    with ``codec`` one this build encodes (:func:`encodes`) and:

    level, checksum : zstd's level and checksum flag (blosc: ``level`` is the clevel)
    shuffle, typesize, blocksize, cname : blosc's settings
    skip_empty : bool
        Leave chunks that hold only ``fill`` to the caller (outcome ``OUT_EMPTY``).
    temp_prefix : str or None
        With a ``directory``: the store's name prefix of in-flight files (the files sink).
        None: chunks are encoded into the caller's buffer (the memory sink).
    fsync : bool
        Files sink: flush each file before renaming it into place.
    """

    cdef csrc.zc_encode_params enc
    cdef csrc.zc_sink sink
    cdef bytes cname
    cdef bytes temp_prefix
    cdef bint skip_empty
    cdef readonly Py_ssize_t encode_bound
    cdef readonly Py_ssize_t scratch_nbytes
    cdef readonly bint to_files

    def __init__(self, directory, str key_encoding, str separator, chunk_shape, array_shape,
                 Py_ssize_t itemsize, codec, str order, plans, box, bytes fill, lists=None, *,
                 int level=0, bint checksum=False, int shuffle=0, int typesize=1,
                 Py_ssize_t blocksize=0, str cname="lz4", bint skip_empty=True,
                 temp_prefix=None, bint fsync=False):
        self.cname = _encoding("ChunkWrite", &self.enc, codec, level, checksum, shuffle,
                               typesize, blocksize, cname)
        self._setup("ChunkWrite", chunk_shape, array_shape, itemsize, codec, order, box, fill,
                    False)
        if (directory is None) != (temp_prefix is None):
            raise ValueError("ChunkWrite: a directory and a temp_prefix go together")
        self._set_files("ChunkWrite", directory, key_encoding, separator)
        self._set_plans("ChunkWrite", plans)
        if lists is not None:  # index-array rows: those chunks are the caller's (OUT_PARTIAL)
            self._set_lists("ChunkWrite", lists)
        memset(&self.sink, 0, sizeof(csrc.zc_sink))
        self.to_files = directory is not None
        if self.to_files:
            self.temp_prefix = temp_prefix.encode()
            if not self.temp_prefix or b"/" in self.temp_prefix or b"\0" in self.temp_prefix:
                raise ValueError(f"ChunkWrite: bad temp_prefix {temp_prefix!r}")
            self.sink.temp_prefix = self.temp_prefix
            self.sink.fsync = fsync
        self.skip_empty = skip_empty
        self.encode_bound = csrc.zc_codec_encode_bound(self.spec.codec, self.chunk_nbytes)
        self.scratch_nbytes = csrc.zc_chunkwrite_scratch(self.spec.codec, self.chunk_nbytes)

    def run(self, Decompressor dec not None, dbuf, out, Py_ssize_t begin, Py_ssize_t end,
            stats=None):
        """Write chunks ``begin .. end-1`` (row-major over the plans) with the GIL released.

        `dbuf` (``scratch_nbytes``) is scratch; `out` is the encode buffer of the files sink
        (``encode_bound`` bytes; unused without a codec) or the memory sink's output
        (``(end - begin) * encode_bound`` bytes). Returns ``(rc, index, err, outcome)``:
        ``rc`` >= 0 chunks handled, or E_DATA / E_IO / E_PATH for the chunk at flattened
        ``index``, which was not written (E_IO: ``err`` is the errno); ``outcome`` is an int64
        ``(end - begin, 2)`` array: per chunk (offset, size) as stored (files: offset 0;
        memory: where in `out`), ``(OUT_PARTIAL, 0)`` or ``(OUT_EMPTY, 0)`` (the caller's).
        `stats` (optional, int64, ``2 * (end - begin)``) receives per chunk the bytes stored
        (0: left to the caller) and the nanoseconds it took. Raises ValueError for a spec the
        kernel refuses.
        """
        cdef Py_buffer d
        cdef Py_buffer c
        cdef csrc.zc_chunkio_status st
        cdef csrc.zc_sink sink = self.sink
        cdef Py_ssize_t rc
        cdef Py_ssize_t need
        cdef csrc.zc_chunkio_spec spec = self.spec
        if begin < 0 or end < begin or end > self.total:
            raise ValueError(f"ChunkWrite.run: range [{begin}, {end}) outside [0, {self.total})")
        _set_stats(&spec, stats, end - begin, "ChunkWrite.run")
        outcome = np.zeros((max(0, end - begin), 2), dtype=np.int64)
        cdef int64_t[:, ::1] rows = outcome
        if self.to_files:
            need = 0 if self.spec.codec == csrc.ZC_CODEC_NONE else self.encode_bound
        else:
            need = (end - begin) * self.encode_bound
        _scratch_views("ChunkWrite.run", dbuf, "dbuf", self.scratch_nbytes, out, "out", need,
                       &d, &c)
        if not self.to_files:
            sink.out = <char *>c.buf
            sink.out_cap = <size_t>c.len
        try:
            with nogil:
                rc = csrc.zc_chunkwrite(&spec, &self.enc, &sink, self.skip_empty, dec.ctx,
                                        <char *>d.buf, <size_t>d.len, <char *>c.buf,
                                        <size_t>c.len, begin, end,
                                        &rows[0, 0] if end > begin else NULL, &st)
        finally:
            PyBuffer_Release(&c)
            PyBuffer_Release(&d)
        rc, index, _need, err = _outcome(rc, &st, "ChunkWrite.run")
        return rc, index, err, outcome


cdef class ChunkEncode(_ChunkBox):
    """Whole chunks of a source box encoded one after another into one buffer (a shard's inner
    chunks), skipping the ones that hold only `fill`.

    Parameters: ``chunk_shape``, ``itemsize``, ``codec`` (one this build encodes), ``order``
    (of the stored chunks), the source ``box`` (any strides, may be read-only), ``fill`` and
    the encoder settings of :class:`ChunkWrite`.
    """

    cdef csrc.zc_encode_params enc
    cdef bytes cname
    cdef str codec_name
    cdef readonly Py_ssize_t encode_bound
    cdef readonly Py_ssize_t scratch_nbytes

    def __init__(self, chunk_shape, Py_ssize_t itemsize, codec, str order, box, bytes fill, *,
                 int level=0, bint checksum=False, int shuffle=0, int typesize=1,
                 Py_ssize_t blocksize=0, str cname="lz4"):
        self.cname = _encoding("ChunkEncode", &self.enc, codec, level, checksum, shuffle,
                               typesize, blocksize, cname)
        self._setup("ChunkEncode", chunk_shape, getattr(box, "shape", chunk_shape), itemsize,
                    codec, order, box, fill, False)
        self.encode_bound = csrc.zc_codec_encode_bound(self.spec.codec, self.chunk_nbytes)
        self.scratch_nbytes = csrc.zc_chunkwrite_scratch(self.spec.codec, self.chunk_nbytes)
        self.codec_name = str(codec)

    def run(self, Decompressor dec not None, origins, dbuf, out):
        """Encode the chunks whose first items are the rows of `origins` (int64, (n, ndim)) into
        `out` (``n * encode_bound`` bytes at least) with the GIL released; `dbuf` is scratch
        of ``scratch_nbytes``.

        Returns ``(used, placed)``: the bytes of `out` used and an int64 ``(n, 2)`` array of
        each chunk's (offset, size) in it, ``(-1, -1)`` for a chunk of fill. Raises CodecError
        when an encoder fails, ValueError for arguments the kernel refuses.
        """
        cdef const int64_t[:, ::1] rows = origins
        cdef Py_ssize_t n = rows.shape[0]
        cdef int64_t[:, ::1] placed
        cdef Py_buffer d
        cdef Py_buffer o
        cdef csrc.zc_chunkio_status st
        cdef Py_ssize_t rc
        if rows.shape[1] != self.spec.ndim:
            raise ValueError(f"ChunkEncode.run: origins must have {self.spec.ndim} columns")
        result = np.empty((n, 2), dtype=np.int64)
        placed = result
        _scratch_views("ChunkEncode.run", dbuf, "dbuf", self.scratch_nbytes, out, "out",
                       n * self.encode_bound, &d, &o)
        try:
            with nogil:
                rc = csrc.zc_encode_chunks(&self.spec, &self.enc, dec.ctx,
                                           &rows[0, 0] if n else NULL, n, <char *>d.buf,
                                           <size_t>d.len, <char *>o.buf, <size_t>o.len,
                                           &placed[0, 0] if n else NULL, &st)
        finally:
            PyBuffer_Release(&o)
            PyBuffer_Release(&d)
        if rc == csrc.ZC_E_DATA:
            raise CodecError(f"chunk {st.index}: codec {self.codec_name!r} failed to encode it")
        check(rc, "ChunkEncode.run")
        return rc, result
