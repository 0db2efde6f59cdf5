"""The C libraries behind the native codecs, and the packages that install them per platform.

Plain data importing nothing: ``setup.py`` loads this file by its path (zarrc is not built yet
then) to name the packages in its build-time warning, and :mod:`zarrc.buildinfo` names them in
the run-time warning, the blosc error and ``zarrc.show_config()``. docs/install.md has the same
table (tests/test_buildinfo.py checks that it does).
"""

# {library: the codecs it gives the native chunk loops (zarrc._ext.codec's names)}
LIBRARIES = {
    "libzstd": ("zstd",),
    "liblz4": ("lz4",),
    "libblosc": ("blosc",),
    "libdeflate": ("gzip", "zlib"),
}

# {platform: the command that installs the four libraries with their headers}
INSTALL_COMMANDS = {
    "Debian/Ubuntu": "sudo apt install libzstd-dev liblz4-dev libblosc-dev libdeflate-dev",
    "Fedora": "sudo dnf install libzstd-devel lz4-devel blosc-devel libdeflate-devel",
    "macOS (Homebrew)": "brew install zstd lz4 c-blosc libdeflate pkgconf",
    "conda": "conda install -c conda-forge zstd lz4-c blosc libdeflate pkg-config",
}


def library_of(codec: str) -> str:
    """The library behind the native codec ``codec`` (``"gzip"`` -> ``"libdeflate"``)."""
    for library, codecs in LIBRARIES.items():
        if codec in codecs:
            return library
    raise KeyError(codec)


def install_hint() -> str:
    """One line naming the packages to install per platform."""
    commands = "; ".join(f"{where}: {command}" for where, command in INSTALL_COMMANDS.items())
    return f"install the libraries ({commands}) and reinstall zarrc (docs/install.md)"
