"""Build the native extensions: one Cython module per C topic, all directives set here."""

import glob
import os
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

# {extension module: C sources it wraps}; each zarrc/_ext/<topic>.pyx wraps csrc/zc_<topic>.c.
# _errors wraps no kernel: it maps ZC_E_* codes to exceptions for the others (cimported).
EXTENSIONS = {
    "_errors": [],
    "copy": ["csrc/zc_copy.c"],
    "fill": ["csrc/zc_fill.c"],
    "byteswap": ["csrc/zc_byteswap.c"],
    "shuffle": ["csrc/zc_shuffle.c"],
    "delta": ["csrc/zc_delta.c"],
}

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
    "embedsignature": True,
}

if sys.platform == "win32":
    COMPILE_ARGS = ["/O2", "/W3"]
else:
    COMPILE_ARGS = ["-O3", "-std=c99", "-Wall", "-Wextra", "-Wno-unused-function",
                    "-Wno-unused-parameter", "-fno-strict-aliasing"]


def extension(topic, sources):
    return Extension(
        f"zarrc._ext.{topic}",
        [os.path.join("zarrc", "_ext", f"{topic}.pyx"), *sources],
        include_dirs=["csrc"],
        depends=sorted(glob.glob(os.path.join("csrc", "*.h"))),  # rebuild on header edits; sdist
        extra_compile_args=COMPILE_ARGS,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )


setup(
    ext_modules=cythonize(
        [extension(topic, sources) for topic, sources in EXTENSIONS.items()],
        compiler_directives=DIRECTIVES,
        include_path=["zarrc/_ext"],
    ),
)
