"""Transactions (with db.transaction(), db.run) and threads: the GIL is
released while a call waits inside the library."""

import threading
import time
from ipaddress import IPv4Address

import pytest

import ipam


def test_transaction_commits_and_rolls_back(db):
    net = db.add_prefix("10.0.0.0/24")
    with db.transaction() as tx:
        assert tx is db
        a = net.alloc_address()
        b = net.alloc_address()
    assert (a, b) == (IPv4Address("10.0.0.1"), IPv4Address("10.0.0.2"))
    with pytest.raises(ZeroDivisionError):
        with db.transaction():
            net.alloc_address()
            1 / 0
    assert db.stats().addresses == 2
    # a library error inside the block rolls back too
    with pytest.raises(ipam.Exists):
        with db.transaction():
            net.alloc_address()
            db.add_prefix("10.0.0.0/24")
    assert db.stats().addresses == 2
    with pytest.raises(ipam.InvalidArgument):
        with db.transaction():
            with db.transaction():
                pass


def test_run_retries_conflicts(db):
    net = db.add_prefix("10.0.0.0/24")
    tries = []

    def body(d, label):
        tries.append(label)
        ip = d.alloc_address(net.network)
        if len(tries) == 1:
            raise ipam.Conflict("simulated", -6)
        return ip

    assert db.run(body, "x") == IPv4Address("10.0.0.1")
    assert tries == ["x", "x"] and db.stats().addresses == 1

    class Mine(Exception):
        pass

    def fails(d):
        d.alloc_address(net.network)
        raise Mine("no")
    with pytest.raises(Mine):
        db.run(fails)
    assert db.stats().addresses == 1
    with pytest.raises(ipam.Exists, match="10.0.0.0/24"):
        db.run(lambda d: d.add_prefix("10.0.0.0/24"))
    assert db.run(lambda d, **kw: kw, a=1) == {"a": 1}

    with ipam.open("memory:", retries=3) as d3:
        n = []

        def always(d):
            n.append(1)
            raise ipam.Conflict("again", -6)
        with pytest.raises(ipam.Conflict, match="again"):
            d3.run(always)
        assert len(n) == 3


def test_close_during_a_transaction_rolls_it_back(tmp_path):
    uri = f"file:{tmp_path / 'c.db'}"
    with ipam.open(uri, key="k", create=True) as db:
        db.add_prefix("10.0.0.0/24")
    db = ipam.open(uri, key="k")
    with pytest.raises(ipam.InvalidArgument, match="closed during the transaction: rolled back"):
        with db.transaction():
            db.alloc_address("10.0.0.0/24")
            db.close()
    db = ipam.open(uri, key="k")
    with pytest.raises(ipam.InvalidArgument, match="closed"):
        db.run(lambda d: (d.alloc_address("10.0.0.0/24"), d.close(), d.alloc_address("10.0.0.0/24")))
    # closed from another thread while this one's transaction is open
    db = ipam.open(uri, key="k")
    with pytest.raises(ipam.InvalidArgument, match="closed"):
        with db.transaction():
            db.alloc_address("10.0.0.0/24")
            t = threading.Thread(target=db.close)
            t.start()
            t.join()
            db.alloc_address("10.0.0.0/24")
    with ipam.open(uri, key="k") as db:
        assert db.stats().addresses == 0


def test_gil_released_while_waiting_for_a_transaction(db):
    net = db.add_prefix("10.0.0.0/24")
    got = []
    with db.transaction():
        net.alloc_address()
        t = threading.Thread(target=lambda: got.append(net.alloc_address()))
        t.start()
        # t now waits inside the library for this thread's transaction; if
        # it held the GIL, this thread could not run Python and never commit.
        spins = 0
        deadline = time.monotonic() + 0.2
        while time.monotonic() < deadline:
            spins += 1
        assert t.is_alive() and spins > 1000
        net.alloc_address()
    t.join(10)
    assert not t.is_alive() and got == [IPv4Address("10.0.0.3")]


def test_gil_released_while_the_file_is_busy(tmp_path):
    uri = f"file:{tmp_path / 'busy.db'}"
    with ipam.open(uri, key="k", create=True) as a, ipam.open(uri, key="k", busy_timeout=20) as b:
        a.add_prefix("10.0.0.0/24")
        got = []
        with a.transaction():
            a.alloc_address("10.0.0.0/24")
            # b waits for SQLite's write lock, inside the library
            t = threading.Thread(target=lambda: got.append(b.alloc_address("10.0.0.0/24")))
            t.start()
            spins = 0
            deadline = time.monotonic() + 0.3
            while time.monotonic() < deadline:
                spins += 1
            assert t.is_alive() and spins > 1000
        t.join(20)
        assert got == [IPv4Address("10.0.0.2")]


def test_threads_share_one_db(idx):
    net = idx.add_prefix("10.0.0.0/20")
    out = [[] for _ in range(4)]

    def work(i):
        for _ in range(500):
            out[i].append(net.alloc_address())
    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    everything = [a for o in out for a in o]
    assert len(set(everything)) == 2000 and idx.stats().addresses == 2000


def test_close_while_other_threads_call(idx):
    net = idx.add_prefix("10.0.0.0/8")
    outcome = []
    progress = threading.Semaphore(0)

    def work():
        n = 0
        try:
            while True:
                net.alloc_address()
                n += 1
                if n == 10:
                    progress.release()
        except ipam.InvalidArgument as e:
            outcome.append((n, str(e)))
    ts = [threading.Thread(target=work) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        assert progress.acquire(timeout=10)  # every thread is allocating
    idx.close()
    for t in ts:
        t.join(10)
    assert len(outcome) == 3 and all("closed" in msg and n >= 10 for n, msg in outcome)
