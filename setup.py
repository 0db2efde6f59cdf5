"""Build the native extensions: one Cython module per C topic, all directives set here."""

import glob
import os
import shutil
import sys
import tempfile

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
    "chunkio": ["csrc/zc_chunkio.c", "csrc/zc_chunkdecode.c", "csrc/zc_chunkwrite.c",
                "csrc/zc_chunkpoints.c", "csrc/zc_blosc.c", "csrc/zc_bloscenc.c", "csrc/zc_copy.c",
                "csrc/zc_fill.c"],
}

# {extension module: libraries it links}; an extension whose libraries are not all present
# (headers and link libraries) is skipped, and zarrc falls back to its Python paths.
LIBRARIES = {
    "chunkio": {"zstd": "zstd.h", "lz4": "lz4.h", "blosc": "blosc.h", "deflate": "libdeflate.h"},
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
        libraries=list(LIBRARIES.get(topic, ())),
        depends=sorted(glob.glob(os.path.join("csrc", "*.h"))),  # rebuild on header edits; sdist
        extra_compile_args=COMPILE_ARGS,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )


def libraries_found(libraries):
    """True if a program including every header and linking every library builds here.

    A compile-and-link probe with the compiler setuptools will use; any failure (missing
    header, missing library, no compiler) is a no.  ``ZARRC_NO_NATIVE_IO=1`` forces a no.
    """
    if os.environ.get("ZARRC_NO_NATIVE_IO") or sys.platform == "win32":
        return False
    try:
        from setuptools._distutils.ccompiler import new_compiler
        from setuptools._distutils.sysconfig import customize_compiler
    except ImportError:  # older setuptools: the standard library's copy
        from distutils.ccompiler import new_compiler
        from distutils.sysconfig import customize_compiler
    tmp = tempfile.mkdtemp(prefix="zarrc-probe-")
    try:
        source = os.path.join(tmp, "probe.c")
        with open(source, "w") as f:
            f.writelines(f"#include <{header}>\n" for header in libraries.values())
            f.write("int main(void) { return 0; }\n")
        compiler = new_compiler()
        customize_compiler(compiler)
        objects = compiler.compile([source], output_dir=tmp)
        compiler.link_executable(objects, os.path.join(tmp, "probe"),
                                 libraries=list(libraries))
        return True
    except Exception:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def buildable(topic):
    libraries = LIBRARIES.get(topic)
    if not libraries or libraries_found(libraries):
        return True
    print(f"zarrc: skipping the optional extension zarrc._ext.{topic}: it needs the headers and "
          f"libraries {sorted(libraries)} (Debian: libzstd-dev liblz4-dev libblosc-dev "
          "zlib1g-dev); zarrc works without it, on its Python paths", file=sys.stderr)
    return False


setup(
    ext_modules=cythonize(
        [extension(topic, sources) for topic, sources in EXTENSIONS.items() if buildable(topic)],
        compiler_directives=DIRECTIVES,
        include_path=["zarrc/_ext"],
    ),
)
