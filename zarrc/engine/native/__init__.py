"""The native chunk-I/O implementation: the reference's operations in C, GIL released.

``zarrc._ext.chunkio`` runs the chunk loops: per chunk its bytes, the decode (or encode) and
the strided copy into (or out of) the caller's array, split over the engine's threads. The
chunks' bytes come from the store's own files when it declares them (``Store.local_files()``:
the C loop opens, reads and writes them itself, by the store's write protocol) and otherwise
from the store's public reads (``get_many`` batches, ``get_ranges`` for shards), fetched with
the store's ``fetch_concurrency`` in flight: any store gets the native decode. A codec takes
part only through what it declares (``native_spec``), and whether this implementation runs
an array at all is decided once, when the array is opened (:mod:`zarrc.engine.chunk_io`),
from those declarations: nothing here tries and falls back. A chunk the C decoders refuse is
a CodecError naming its key, as on the reference path.
"""
