"""Native kernels: Cython wrappers over the pure-C code in ``csrc/``, GIL released.

One module per C topic (``copy``, ``fill``, ``byteswap``, ``shuffle``, ``delta``), each with a
pure-NumPy twin in :mod:`zarrc._ext.slow`; ``_errors`` maps the kernels' ``ZC_E_*`` codes to
exceptions.  Nothing is imported here, so importing the package never needs a build.
"""
