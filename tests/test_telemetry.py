"""zarrc.telemetry: the events every chunk path publishes (checked against what the store holds),
store retries through storage's emit, streams, subscription handles, the logging bridge, and
no event built at all when nobody listens."""

from __future__ import annotations

import logging
import threading

import numpy as np
import pytest

import zarrc
from zarrc import telemetry
from zarrc.engine import observe
from zarrc.storage import FaultyStore, LocalStore, MemoryStore, RetryingStore, RetryPolicy
from zarrc.testing.engine import KINDS, engine, io_kinds

FAST = RetryPolicy(attempts=8, timeout=5, base_delay=0.0001, max_delay=0.001)


class Recorder:
    def __init__(self):
        self.events = []
        self.lock = threading.Lock()

    def __call__(self, event):
        with self.lock:
            self.events.append(event)

    def named(self, name):
        return [e for e in self.events if e.name == name]


@pytest.fixture
def recorder():
    rec = Recorder()
    with telemetry.subscribe(rec):
        yield rec


@pytest.fixture(params=KINDS)
def kind(request):
    with engine(request.param):
        yield request.param


def _stored(store, key) -> int:
    value = store.get(key)
    return -1 if value is None else len(value)


@pytest.mark.parametrize("where", ["local", "memory"])
def test_every_chunk_read_and_write_is_an_event_with_its_stored_bytes(tmp_path, kind, where,
                                                                      recorder):
    store = LocalStore(tmp_path / "t.zarr") if where == "local" else MemoryStore()
    data = np.arange(30 * 20, dtype="f8").reshape(30, 20)
    a = zarrc.create_array(store, shape=data.shape, chunks=(10, 8), dtype="f8",
                           compressors={"name": "zstd", "configuration": {"level": 1}})
    if kind == "native":
        assert io_kinds(a)[:3] == ("native", "native", "native")
    a[...] = data
    writes = recorder.named("chunk.write")
    assert sorted(e.key for e in writes) == sorted(f"c/{i}/{j}" for i in range(3)
                                                   for j in range(3))
    for e in writes:
        assert e.nbytes == _stored(store, e.key) > 0
        assert e.duration >= 0 and isinstance(e.thread, str) and e.store == str(store)
    recorder.events.clear()
    a[0:10, 0:8] = 0  # a chunk of fill: deleted
    a[12, 3] = -1  # a partial chunk: read, modified, written under its lock
    writes = recorder.named("chunk.write")
    assert [(e.key, e.nbytes) for e in writes] == [("c/0/0", 0),
                                                   ("c/1/0", _stored(store, "c/1/0"))]
    assert _stored(store, "c/0/0") == -1
    recorder.events.clear()
    expected = data.copy()
    expected[0:10, 0:8] = 0
    expected[12, 3] = -1
    assert np.array_equal(a[5:25, :], expected[5:25])
    assert np.array_equal(a[...], expected)
    reads = recorder.named("chunk.read")
    assert len(reads) == 9 + 9  # a[5:25, :] then a[...]
    for e in reads:
        assert e.nbytes == max(0, _stored(store, e.key))
        assert e.attrs.get("missing", False) == (e.key == "c/0/0")
        assert e.duration >= 0 and e.thread
    recorder.events.clear()
    a.vindex[[0, 15, 29], [0, 10, 19]]  # points: one event per chunk holding some
    assert sorted(e.key for e in recorder.named("chunk.read")) == ["c/0/0", "c/1/1", "c/2/2"]


def test_sharded_reads_name_the_shard_and_the_inner_chunk(kind, recorder):
    store = MemoryStore()
    a = zarrc.create_array(store, shape=(16, 16), chunks=(4, 4), shards=(8, 16), dtype="i4")
    a[...] = np.arange(256).reshape(16, 16)
    assert sorted(e.key for e in recorder.named("chunk.write")) == ["c/0/0", "c/1/0"]
    recorder.events.clear()
    a[0:8, 4:12]
    reads = recorder.named("chunk.read")
    assert {e.key for e in reads} == {"c/0/0"}
    assert sorted(tuple(e.attrs["inner"]) for e in reads) == [(i, j) for i in range(2)
                                                              for j in (1, 2)]
    assert all(e.nbytes > 0 for e in reads)
    recorder.events.clear()
    a.vindex[[1, 9], [1, 15]]
    assert sorted((e.key, tuple(e.attrs["inner"])) for e in recorder.named("chunk.read")) == \
        [("c/0/0", (0, 0)), ("c/1/0", (0, 3))]


def test_a_corrupt_chunk_is_a_chunk_error_event(kind, recorder):
    store = MemoryStore()
    a = zarrc.create_array(store, shape=(8, 8), chunks=(4, 4), dtype="i4",
                           compressors={"name": "zstd"})
    a[...] = 1
    store.set("c/1/0", b"garbage")
    a = zarrc.open_array(store)
    with pytest.raises(zarrc.errors.CodecError, match="c/1/0"):
        a[...]
    errors = recorder.named("chunk.error")
    assert [e.key for e in errors] == ["c/1/0"]
    assert "CodecError" in errors[0].attrs["error"] and errors[0].attrs["operation"] == "read"


def test_store_retries_are_events(recorder):
    inner = FaultyStore(MemoryStore(), error_rate=0.4, seed=5)
    store = RetryingStore(inner, retry=FAST)
    a = zarrc.create_array(store, shape=(40,), chunks=(4,), dtype="i2")
    a[...] = np.arange(40)
    assert np.array_equal(a[...], np.arange(40))
    failures = [c for c in inner.calls if c.outcome == "transient"]
    retries = recorder.named("store.retry")
    assert failures and len(retries) == len(failures)
    assert {e.key for e in retries} <= {c.key for c in failures}
    assert all(e.attrs["attempt"] >= 1 and "delay" in e.attrs for e in retries)


def test_streams_start_and_stop(recorder):
    a = zarrc.create_array(MemoryStore(), name="x", shape=(20, 4), chunks=(5, 4), dtype="f4")
    a.write_chunks(((slice(i, i + 5), slice(None)), float(i)) for i in range(0, 20, 5))
    for _ in a.iter_chunks(concurrency=2):
        break
    starts, stops = recorder.named("stream.start"), recorder.named("stream.stop")
    assert [e.attrs["kind"] for e in starts] == ["write_chunks", "iter_chunks"]
    assert [(e.attrs["kind"], e.attrs["reason"]) for e in stops] == [
        ("write_chunks", "finished"), ("iter_chunks", "closed")]
    assert stops[0].nbytes == 20 * 4 * 4 and stops[0].attrs["chunks"] == 4
    assert stops[1].attrs["chunks"] == 1 and stops[1].nbytes == 5 * 4 * 4
    assert all(e.key == "x" and e.duration >= 0 for e in stops)


def test_subscriptions_filter_close_and_survive_a_failing_callback(caplog):
    a = zarrc.create_array(MemoryStore(), shape=(8,), chunks=(2,), dtype="i1")
    writes, everything = Recorder(), Recorder()
    h1 = telemetry.subscribe(writes, events="chunk.write")
    h2 = telemetry.subscribe(everything, events=["chunk.read", "chunk.write"])

    def broken(event):
        raise RuntimeError("a bug in the subscriber")

    h3 = telemetry.subscribe(broken)
    try:
        with caplog.at_level(logging.ERROR, logger="zarrc.telemetry"):
            a[...] = 1
            assert np.array_equal(a[...], np.ones(8))  # the I/O is not affected
        assert "a bug in the subscriber" in caplog.text
        assert {e.name for e in writes.events} == {"chunk.write"} and len(writes.events) == 4
        assert len(everything.events) == 8
        h1.close()
        h1.close()
        a[...] = 2
        assert len(writes.events) == 4 and len(everything.events) == 12
    finally:
        h1.close(), h2.close(), h3.close()
    assert not telemetry.active("chunk.write")
    with pytest.raises(ValueError, match="chunk.wrote"):
        telemetry.subscribe(print, events=["chunk.wrote"])
    with pytest.raises(TypeError, match="callable"):
        telemetry.subscribe("print")


def test_log_to_writes_records(caplog):
    a = zarrc.create_array(MemoryStore(), shape=(4,), chunks=(2,), dtype="i1")
    with caplog.at_level(logging.DEBUG, logger="my.app"):
        with telemetry.log_to("my.app", level=logging.DEBUG, events="chunk.write"):
            a[...] = 3
        a[...] = 4  # closed: no more records
    records = [r for r in caplog.records if r.name == "my.app"]
    assert len(records) == 2
    assert records[0].getMessage().startswith("chunk.write ") and "key=c/" in \
        records[0].getMessage()
    assert records[0].event.name == "chunk.write" and records[0].levelno == logging.DEBUG


def test_nobody_listening_builds_no_event_and_reports_nothing(tmp_path, kind, monkeypatch):
    assert not any(telemetry.active(n) for n in telemetry.EVENTS)

    def forbidden(*args, **kwargs):
        raise AssertionError("reported with nobody listening")

    monkeypatch.setattr(observe, "report", forbidden)
    monkeypatch.setattr(observe.telemetry, "Event", forbidden)
    made = []
    real = observe.stats_for
    monkeypatch.setattr(observe, "stats_for", lambda *a: made.append(real(*a)) or made[-1])
    for store in (LocalStore(tmp_path / "quiet.zarr"), MemoryStore()):
        a = zarrc.create_array(store, name="a", shape=(12, 12), chunks=(4, 4), dtype="f4",
                               compressors={"name": "zstd"})
        a[...] = 1
        a[1, 1] = 2
        a[...]
        a.vindex[[0, 5], [0, 5]]
        s = zarrc.create_array(store, name="s", shape=(12, 12), chunks=(2, 2), shards=(4, 4),
                               dtype="f4")
        s[...] = 3
        s[...]
        s.vindex[[0, 5], [0, 5]]
        list(a.iter_chunks())
        a.write_chunks([((slice(0, 4),), 5.0)])
    assert all(m is None for m in made)  # no stats arrays: the C loops time nothing
    assert bool(made) == (kind == "native")


def test_the_opentelemetry_bridge_counts_what_the_events_say():
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    meter = MeterProvider(metric_readers=[reader]).get_meter("test")
    a = zarrc.create_array(MemoryStore(), shape=(12, 10), chunks=(4, 5), dtype="f4",
                           compressors={"name": "zstd"})
    rec = Recorder()
    with telemetry.subscribe(rec), telemetry.to_opentelemetry(meter):
        a[...] = np.arange(120).reshape(12, 10)
        a[...]
    metrics = {m.name: m for rm in reader.get_metrics_data().resource_metrics
               for sm in rm.scope_metrics for m in sm.metrics}

    def total(name):
        return sum(p.value for p in metrics[name].data.data_points)

    assert total("zarrc.chunk.read") == len(rec.named("chunk.read")) == 6
    assert total("zarrc.chunk.write") == 6
    assert total("zarrc.chunk.read.bytes") == sum(e.nbytes for e in rec.named("chunk.read"))
    durations = metrics["zarrc.chunk.read.duration"].data.data_points
    assert sum(p.count for p in durations) == 6
    assert {p.attributes["store"] for p in durations} == {str(a.store)}
    assert not telemetry.active("chunk.read")
