"""Build the native extensions: one Cython module per C topic, all directives set here.

The kernels (``copy``, ``fill``, ``byteswap``, ``shuffle``, ``delta``) and the chunk loops
(``chunkio``, ``chunkpoints``, ``chunkwrite``, ``codec``) are required: they need only a C compiler. Each compression library
(libzstd, liblz4, libblosc, libdeflate) is optional and found on its own: its codec is
compiled into the loops when it is found (``ZC_HAVE_<LIB>``), and zarrc reads and writes that
codec through its Python package otherwise (blosc has no Python fallback: it needs libblosc).
``zarrc._ext.codec.native_codecs()`` tells at run time what was found.

Where a library is looked for, in order (the first that compiles and links wins):

1. ``ZARRC_<LIB>_DIR`` (a prefix with ``include/`` and ``lib/``), or ``ZARRC_<LIB>_INCLUDE``
   and ``ZARRC_<LIB>_LIB`` (directories), when set: an explicit choice, tried before anything
   the system offers (a self-contained wheel builds against its own static libraries);
2. ``pkg-config`` (``libzstd``, ``liblz4``, ``blosc``, ``libdeflate``);
3. the compiler's default search paths.

``ZARRC_<LIB>=0`` leaves that library out (``ZARRC_ZSTD=0 ZARRC_LZ4=0 ZARRC_BLOSC=0
ZARRC_DEFLATE=0`` builds with none, as a machine without them would);
``ZARRC_REQUIRE_NATIVE_CODECS=1`` makes a missing library an error (scripts/wheel.sh sets it).
A build that misses any says so once, loudly, after compiling, naming the packages to install
(zarrc/_libraries.py has them per platform; docs/install.md too).
"""

import glob
import os
import runpy
import shlex
import shutil
import subprocess
import sys
import tempfile

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The libraries' names, their codecs and the packages per platform, shared with zarrc's run-time
# messages (read by path: zarrc itself is not built yet).
PACKAGING = runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "zarrc",
                                        "_libraries.py"))

# {extension module: C sources it wraps}; each zarrc/_ext/<topic>.pyx wraps csrc/zc_<topic>.c.
# _errors wraps no kernel: it maps ZC_E_* codes to exceptions for the others (cimported).
CODEC_SOURCES = ["csrc/zc_codec.c", "csrc/zc_blosc.c", "csrc/zc_bloscenc.c"]
EXTENSIONS = {
    "_errors": [],
    "copy": ["csrc/zc_copy.c"],
    "fill": ["csrc/zc_fill.c"],
    "byteswap": ["csrc/zc_byteswap.c"],
    "shuffle": ["csrc/zc_shuffle.c"],
    "delta": ["csrc/zc_delta.c"],
    "codec": CODEC_SOURCES,
    "chunkio": ["csrc/zc_chunkio.c", "csrc/zc_copy.c", "csrc/zc_fill.c", *CODEC_SOURCES],
    "chunkpoints": ["csrc/zc_chunkpoints.c", "csrc/zc_chunkio.c", "csrc/zc_copy.c",
                    "csrc/zc_fill.c", *CODEC_SOURCES],
    "chunkwrite": ["csrc/zc_chunkwrite.c", "csrc/zc_chunkio.c", "csrc/zc_copy.c",
                   "csrc/zc_fill.c", *CODEC_SOURCES],
}
# the extensions that link the compression libraries found
WITH_CODECS = ("codec", "chunkio", "chunkpoints", "chunkwrite")


class Library:
    """One optional compression library: how to find it and the function that proves it links."""

    def __init__(self, name, key, pkg, header, link, probe):
        self.name = name  # zarrc/_libraries.py's name
        self.key = key  # ZARRC_<KEY>_DIR ..., ZC_HAVE_<KEY>
        self.pkg = pkg  # pkg-config name
        self.header = header
        self.link = link  # -l name
        self.probe = probe  # a call that must compile and link

    def candidates(self):
        """(how found, include dirs, library dirs, libraries, extra link args) to try."""
        env = os.environ
        prefix = env.get(f"ZARRC_{self.key}_DIR")
        inc, lib = env.get(f"ZARRC_{self.key}_INCLUDE"), env.get(f"ZARRC_{self.key}_LIB")
        if prefix or inc or lib:
            incs = [inc] if inc else [os.path.join(prefix, "include")] if prefix else []
            libs = [lib] if lib else ([os.path.join(prefix, d) for d in ("lib", "lib64")]
                                      if prefix else [])
            yield f"ZARRC_{self.key}_*", incs, [d for d in libs if os.path.isdir(d)] or libs, \
                [self.link], []
        found = pkg_config(self.pkg)
        if found is not None:
            yield f"pkg-config {self.pkg}", *found
        yield "default paths", [], [], [self.link], []


LIBRARIES = [
    Library("libzstd", "ZSTD", "libzstd", "zstd.h", "zstd", "ZSTD_versionNumber()"),
    Library("liblz4", "LZ4", "liblz4", "lz4.h", "lz4", "LZ4_versionNumber()"),
    Library("libblosc", "BLOSC", "blosc", "blosc.h", "blosc", "blosc_get_version_string()"),
    Library("libdeflate", "DEFLATE", "libdeflate", "libdeflate.h", "deflate",
            "libdeflate_alloc_decompressor()"),
]
assert [lib.name for lib in LIBRARIES] == list(PACKAGING["LIBRARIES"])

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


def pkg_config(name):
    """``(include dirs, library dirs, libraries, extra link args)`` from pkg-config, or None."""
    exe = os.environ.get("PKG_CONFIG", "pkg-config")
    if shutil.which(exe) is None:
        return None
    try:
        cflags = subprocess.run([exe, "--cflags", name], capture_output=True, text=True,
                                check=True).stdout
        libs = subprocess.run([exe, "--libs", name], capture_output=True, text=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    incs = [f[2:] for f in shlex.split(cflags) if f.startswith("-I")]
    lib_dirs = [f[2:] for f in shlex.split(libs) if f.startswith("-L")]
    names = [f[2:] for f in shlex.split(libs) if f.startswith("-l")]
    other = [f for f in shlex.split(libs) if not f.startswith(("-L", "-l"))]
    return incs, lib_dirs, names, other


def links(library, incs, lib_dirs, names, extra):
    """True if a program including the header and calling the probe compiles and links here."""
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
            f.write(f"#include <{library.header}>\n"
                    f"int main(void) {{ return {library.probe} == 0; }}\n")
        compiler = new_compiler()
        customize_compiler(compiler)
        objects = compiler.compile([source], output_dir=tmp, include_dirs=incs)
        compiler.link_executable(objects, os.path.join(tmp, "probe"), libraries=names,
                                 library_dirs=lib_dirs, extra_postargs=extra)
        return True
    except Exception:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def find_libraries():
    """``({key: (how, incs, lib dirs, libs, extra)}, [(missing Library, why)])``: each library
    looked for on its own."""
    found, missing = {}, []
    for library in LIBRARIES:
        if os.environ.get(f"ZARRC_{library.key}", "1") == "0":
            missing.append((library, f"left out: ZARRC_{library.key}=0"))
            continue
        for how, incs, lib_dirs, names, extra in library.candidates():
            if links(library, incs, lib_dirs, names, extra):
                found[library.key] = (how, incs, lib_dirs, names, extra)
                break
        else:
            missing.append((library, "not found"))
    for key, (how, *_rest) in found.items():
        print(f"zarrc: {key.lower()}: found ({how})", file=sys.stderr)
    if missing and os.environ.get("ZARRC_REQUIRE_NATIVE_CODECS") == "1":
        raise SystemExit("zarrc: ZARRC_REQUIRE_NATIVE_CODECS=1 and a library is missing:\n"
                         + missing_banner(missing))
    return found, missing


def missing_banner(missing):
    """The build-time warning for the libraries ``missing``: what it costs, what to install."""
    codecs = [c for library, _why in missing for c in PACKAGING["LIBRARIES"][library.name]]
    names = ", ".join(f"{library.name} ({why})" for library, why in missing)
    rule = "zarrc: " + "*" * 78
    lines = [rule,
             f"zarrc: WARNING: building WITHOUT {names}.",
             f"zarrc: Their codecs ({', '.join(codecs)}) will not be native: zarrc reads and "
             "writes them",
             "zarrc: through Python packages, slower than the native engine"
             + (", and cannot read or write blosc at all." if "blosc" in codecs else "."),
             "zarrc: To build them natively, install the libraries and reinstall zarrc:"]
    lines += [f"zarrc:   {where + ':':18} {command}"
              for where, command in PACKAGING["INSTALL_COMMANDS"].items()]
    lines += ["zarrc: or point ZARRC_<LIB>_DIR at a prefix that has them (docs/install.md).",
              rule]
    return "\n".join(lines)


class BuildExt(build_ext):
    """build_ext without the venv's include/ directory, then the warning about missing
    libraries, once per build and after the compiler's output, where it is seen (pip shows a
    build's output with -v only)."""

    def finalize_options(self):
        super().finalize_options()
        # build_ext adds <venv>/include, where packages drop headers (python-blosc installs a
        # blosc.h of its own): it would shadow the header of the library linked.
        venv_include = os.path.join(sys.exec_prefix, "include")
        if sys.exec_prefix != sys.base_exec_prefix and venv_include in self.include_dirs:
            self.include_dirs.remove(venv_include)

    def run(self):
        super().run()
        if MISSING:
            print(missing_banner(MISSING), file=sys.stderr, flush=True)


def extension(topic, sources, found):
    incs, lib_dirs, libs, extra, macros = ["csrc"], [], [], [], []
    if topic in WITH_CODECS:
        for key, (_how, i, d, names, e) in found.items():
            incs += i
            lib_dirs += d
            libs += names
            extra += e
            macros.append((f"ZC_HAVE_{key}", "1"))
    return Extension(
        f"zarrc._ext.{topic}",
        [os.path.join("zarrc", "_ext", f"{topic}.pyx"), *sources],
        include_dirs=incs,
        library_dirs=lib_dirs,
        libraries=libs,
        extra_link_args=extra,
        depends=sorted(glob.glob(os.path.join("csrc", "*.h"))),  # rebuild on header edits; sdist
        extra_compile_args=COMPILE_ARGS,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"), *macros],
    )


FOUND, MISSING = find_libraries()
setup(
    cmdclass={"build_ext": BuildExt},
    ext_modules=cythonize(
        [extension(topic, sources, FOUND) for topic, sources in EXTENSIONS.items()],
        compiler_directives=DIRECTIVES,
        include_path=["zarrc/_ext"],
    ),
)
