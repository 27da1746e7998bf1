"""coursekit.datasets: IDX parsing, the local lookup, and downloads from a real HTTP server.

The server runs on 127.0.0.1 in a thread started here and serves small
synthetic IDX files; the tests pass their SHA-256 digests in.
"""
import gzip
import hashlib
import http.server
import socket
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from coursekit import datasets

CODES = {np.dtype("uint8"): 0x08, np.dtype("int8"): 0x09, np.dtype("int16"): 0x0B,
         np.dtype("int32"): 0x0C, np.dtype("float32"): 0x0D, np.dtype("float64"): 0x0E}


def idx_bytes(a):
    """The IDX encoding of array a, written independently of the module under test."""
    a = np.asarray(a)
    header = bytes([0, 0, CODES[a.dtype], a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape)
    return header + a.astype(a.dtype.newbyteorder(">")).tobytes()


def synthetic(n, seed):
    """(images uint8 (n, 28, 28), labels uint8 (n,))."""
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, n, dtype=np.uint8))


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Every test sees an empty cache, no $COURSEKIT_DATA and no system folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSEKIT_DATA", raising=False)
    monkeypatch.setattr(datasets, "SYSTEM_ROOT", tmp_path / "system")


# ------------------------------------------------------------------ IDX parser

@pytest.mark.parametrize("dtype,shape", [("uint8", (3, 28, 28)), ("uint8", (7,)),
                                         ("int8", (2, 3)), ("int16", (4, 5)),
                                         ("int32", (2, 2, 2, 2)), ("float32", (6,)),
                                         ("float64", (3, 1))])
def test_idx_round_trip(dtype, shape):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(shape) * 100).astype(dtype)
    b = datasets.parse_idx(idx_bytes(a))
    assert b.dtype == np.dtype(dtype) and b.shape == shape
    np.testing.assert_array_equal(a, b)
    assert b.flags.writeable and b.dtype.isnative


def test_idx_header_fields():
    dtype, shape, offset = datasets.parse_idx_header(idx_bytes(np.zeros((5, 3, 2), np.int16)))
    assert (dtype, shape, offset) == (np.dtype(">i2"), (5, 3, 2), 16)


def test_read_idx_gzipped_and_raw(tmp_path):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a").write_bytes(idx_bytes(a))
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(a)))
    np.testing.assert_array_equal(datasets.read_idx(tmp_path / "a"), a)
    np.testing.assert_array_equal(datasets.read_idx(tmp_path / "a.gz"), a)


@pytest.mark.parametrize("data,match", [
    (b"\x1f\x8b\x08\x03", "bad magic number"),          # still gzipped
    (b"\x00\x01\x08\x01" + b"\x00" * 8, "bad magic number"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "unknown IDX type code 0x07"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated IDX header"),
    (b"\x00\x00", "at least 4 bytes"),
])
def test_idx_bad_headers(data, match):
    with pytest.raises(datasets.IDXError, match=match):
        datasets.parse_idx(data)


def test_idx_wrong_size():
    good = idx_bytes(np.zeros((4, 28, 28), np.uint8))
    msg = r"3136 bytes of data, but 3135 bytes follow \(truncated"
    with pytest.raises(datasets.IDXError, match=msg):
        datasets.parse_idx(good[:-1])
    with pytest.raises(datasets.IDXError, match="trailing bytes"):
        datasets.parse_idx(good + b"\x00")


def test_read_idx_corrupt_gzip_names_the_file(tmp_path):
    p = tmp_path / "x.gz"
    p.write_bytes(gzip.compress(idx_bytes(np.zeros(100, np.uint8)))[:-10])
    with pytest.raises(datasets.IDXError, match=r"x\.gz: corrupt or truncated gzip"):
        datasets.read_idx(p)


# ------------------------------------------------------------------ local lookup

def write_dataset(folder, n_train=12, n_test=5, gz=True):
    """The four files of a synthetic data set in folder; returns the arrays."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"train": synthetic(n_train, 1), "test": synthetic(n_test, 2)}
    for split, (images_name, labels_name) in datasets.FILES.items():
        for stem, a in zip((images_name, labels_name), arrays[split]):
            data = idx_bytes(a)
            path = folder / (stem + ".gz" if gz else stem)
            path.write_bytes(gzip.compress(data) if gz else data)
    return arrays


@pytest.mark.parametrize("gz", [True, False])
def test_load_scales_and_shapes(tmp_path, gz):
    arrays = write_dataset(tmp_path / "home" / "mnist", gz=gz)
    x, y = datasets.load("mnist", "test", data_home=tmp_path / "home", download=False)
    assert x.shape == (5, 784) and x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(x * 255, arrays["test"][0].reshape(5, -1), atol=1e-4)
    np.testing.assert_array_equal(y, arrays["test"][1])
    assert 0 <= x.min() and x.max() <= 1
    x4, _ = datasets.load("mnist", "train", flatten=False, data_home=tmp_path / "home",
                          download=False)
    assert x4.shape == (12, 1, 28, 28)


def test_lookup_order(tmp_path, monkeypatch):
    """data_home, then $COURSEKIT_DATA, then the cache, then the system folder."""
    roots = {k: tmp_path / k for k in ("home", "env", "cache/coursekit", "system")}
    monkeypatch.setenv("COURSEKIT_DATA", str(roots["env"]))
    assert [r for _, r in datasets.search_roots(roots["home"])] == list(roots.values())
    for key in reversed(list(roots)):  # add folders from the last place to the first
        write_dataset(roots[key] / "fashion-mnist")
        found = datasets.find("fashion_mnist", "train", data_home=roots["home"])
        assert found[0].parent == roots[key] / "fashion-mnist"
    assert datasets.available("fashion-mnist", roots["home"])


def test_not_found_lists_folders_and_instructions(tmp_path):
    with pytest.raises(datasets.DataNotFoundError) as e:
        datasets.load("fashion-mnist", "test", data_home=tmp_path / "mine", download=False)
    msg = str(e.value)
    for folder in (tmp_path / "mine", tmp_path / "cache" / "coursekit", tmp_path / "system"):
        assert str(folder / "fashion-mnist") in msg
    assert "COURSEKIT_DATA is not set" in msg and "download=True" in msg
    assert "apt install dataset-fashion-mnist" in msg and "t10k-images-idx3-ubyte.gz" in msg


def test_unknown_names():
    with pytest.raises(ValueError, match="valid names"):
        datasets.load("cifar", download=False)
    with pytest.raises(ValueError, match="valid splits"):
        datasets.load("mnist", "validation", download=False)


def test_mismatched_labels(tmp_path):
    write_dataset(tmp_path / "mnist")
    labels = tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(gzip.compress(idx_bytes(np.zeros(4, np.uint8))))
    with pytest.raises(datasets.IDXError, match="expected 5 labels"):
        datasets.load("mnist", "test", data_home=tmp_path, download=False)


# ------------------------------------------------------------------ offline sets

def test_offline_sets():
    x, y = datasets.digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32 and x.max() == 1 and y.dtype == np.int64
    x, y = datasets.mnist_5k(flatten=False)
    assert x.shape == (5000, 1, 28, 28) and x.dtype == np.float32 and x.max() == 1
    assert np.bincount(y).tolist() == [500] * 10


def test_stratified_split_is_seeded_and_balanced():
    x, y = np.arange(200).reshape(100, 2), np.repeat(np.arange(4), 25)
    a = datasets.stratified_split(x, y, 20, seed=3)
    b = datasets.stratified_split(x, y, 20, seed=3)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    x_tr, y_tr, x_te, y_te = a
    assert np.bincount(y_te).tolist() == [5] * 4 and len(y_tr) == 80
    assert not set(x_tr[:, 0]) & set(x_te[:, 0])  # no row in both
    with pytest.raises(ValueError, match="n_test"):
        datasets.stratified_split(x, y, 100)


# ------------------------------------------------------------------ downloads

class Handler(http.server.BaseHTTPRequestHandler):
    """Serves self.server.files {path: bytes}; '/short/...' promises more bytes than it sends."""

    def do_GET(self):
        files = self.server.files
        if self.path.startswith("/short/"):
            body = files["/good/" + self.path[len("/short/"):]]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path not in files:
            self.send_error(404, "Not Found")
            return
        body = files[self.path]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture
def server():
    """(base URL, {file name: sha256}) of a server on 127.0.0.1 with a synthetic data set."""
    files, digests = {}, {}
    for i, stem in enumerate(s for pair in datasets.FILES.values() for s in pair):
        a = synthetic(6, i)[0 if "images" in stem else 1]
        body = gzip.compress(idx_bytes(a))
        files[f"/good/{stem}.gz"] = body
        digests[f"{stem}.gz"] = hashlib.sha256(body).hexdigest()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.files = files
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", digests
    httpd.shutdown()
    httpd.server_close()
    thread.join()


NAME = "train-labels-idx1-ubyte.gz"


def leftovers(folder):
    """Every file in folder except the expected destination (temporary files included)."""
    return sorted(p.name for p in Path(folder).iterdir() if p.name != NAME)


def test_fetch_good_file(server, tmp_path):
    base, digests = server
    dest = datasets.fetch(f"{base}/good/{NAME}", tmp_path / NAME, digests[NAME], timeout=5)
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == digests[NAME]
    assert datasets.read_idx(dest).shape == (6,)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("case", ["checksum", "truncated", "404"])
def test_failed_fetch_leaves_nothing_and_keeps_good_file(server, tmp_path, case):
    base, digests = server
    url, digest, error, match = {
        "checksum": (f"{base}/good/{NAME}", "0" * 64, datasets.ChecksumError, "SHA-256 is"),
        "truncated": (f"{base}/short/{NAME}", digests[NAME], datasets.DownloadError, "cut off"),
        "404": (f"{base}/good/missing.gz", digests[NAME], datasets.DownloadError, "HTTP 404"),
    }[case]
    fresh, cached = tmp_path / "fresh", tmp_path / "cached"
    fresh.mkdir()
    with pytest.raises(error, match=match):
        datasets.fetch(url, fresh / NAME, digest, timeout=5)
    assert not (fresh / NAME).exists() and leftovers(fresh) == []

    cached.mkdir()
    good = b"a good file downloaded earlier"
    (cached / NAME).write_bytes(good)
    with pytest.raises(error):
        datasets.fetch(url, cached / NAME, digest, timeout=5)
    assert (cached / NAME).read_bytes() == good and leftovers(cached) == []


def free_port():
    """A port on 127.0.0.1 with nothing listening: connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_gives_instructions(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/{NAME}"
    with pytest.raises(datasets.OfflineError) as e:
        datasets.fetch(url, tmp_path / NAME, "0" * 64, timeout=5)
    msg = str(e.value)
    assert url in msg and "offline" in msg and "COURSEKIT_DATA" in msg and "mnist_5k" in msg
    assert list(tmp_path.iterdir()) == []


def test_load_downloads_into_cache_then_works_offline(server, tmp_path):
    base, digests = server
    x, y = datasets.load("mnist", "test", base_url=base + "/good/", sha256=digests, timeout=5)
    assert x.shape == (6, 784) and y.dtype == np.int64
    cache = tmp_path / "cache" / "coursekit" / "mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(digests)
    # a second load reads the cache: an unreachable server is never asked
    dead = f"http://127.0.0.1:{free_port()}/"
    x2, y2 = datasets.load("mnist", "test", base_url=dead, sha256=digests, timeout=5)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)


def test_load_offline_raises_offline_error(tmp_path):
    with pytest.raises(datasets.OfflineError, match="Are you offline"):
        datasets.load("fashion-mnist", base_url=f"http://127.0.0.1:{free_port()}/", timeout=5)
    assert not (tmp_path / "cache" / "coursekit" / "fashion-mnist").exists() or \
        list((tmp_path / "cache" / "coursekit" / "fashion-mnist").iterdir()) == []


def test_published_digests_are_well_formed():
    for source in datasets.SOURCES.values():
        names = [f"{stem}.gz" for pair in datasets.FILES.values() for stem in pair]
        assert sorted(source["sha256"]) == sorted(names)
        assert all(len(d) == 64 and int(d, 16) >= 0 for d in source["sha256"].values())


DEBIAN = Path("/usr/share/datasets")


@pytest.mark.skipif(not (DEBIAN / "fashion-mnist").is_dir(),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_debian_fashion_mnist():
    x, y = datasets.fashion_mnist("test", data_home=DEBIAN, download=False)
    assert x.shape == (10000, 784) and np.bincount(y).tolist() == [1000] * 10
    assert x.dtype == np.float32 and x.min() == 0 and x.max() == 1
