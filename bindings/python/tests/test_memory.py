"""A loop of 100k allocations does not grow the process: every string,
record, iterator and exception the binding makes is released."""

import ctypes
import os

import ipam


def heap_bytes(sanitized):
    if sanitized:
        # Under AddressSanitizer (preloaded) RSS includes its quarantine of
        # freed memory; its allocator's count of live bytes is exact.
        f = ctypes.CDLL(None).__sanitizer_get_current_allocated_bytes
        f.restype = ctypes.c_size_t
        return f()
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def cycle(db, net, n):
    for i in range(n):
        a = net.alloc_address(hostname="host.example.net", mac="52:54:00:12:34:56")
        assert db.address(a).hostname == "host.example.net"
        if i % 10 == 0:
            for _ in db.addresses(within="10.0.0.0/30"):
                break
            try:
                db.address("10.1.1.1")
            except ipam.NotFound:
                pass
        db.release_address(a)


def test_100k_allocations_do_not_grow_memory(sanitized):
    with ipam.open("index:") as db:
        net = db.add_prefix("10.0.0.0/16")
        cycle(db, net, 5000)
        before = heap_bytes(sanitized)
        cycle(db, net, 100_000)
        after = heap_bytes(sanitized)
    grown = after - before
    print(f"{'ASan live heap' if sanitized else 'RSS'}: {before} -> {after} bytes ({grown:+d}) over 100k allocations")
    # 1 MiB over 100k: a leak of 11 bytes an iteration would exceed it
    assert grown < 1 << 20


def test_dropped_databases_are_freed(sanitized):
    # A DB that is never closed is freed with its last reference (the
    # capsule's destructor), iterators and all.
    def churn(n):
        for _ in range(n):
            db = ipam.open("memory:")
            net = db.add_prefix("10.0.0.0/24")
            net.alloc_address(hostname="h.example.net")
            it = db.addresses()
            next(it)
            del db, net  # `it` still holds the database
            del it
    churn(200)
    before = heap_bytes(sanitized)
    churn(2000)
    after = heap_bytes(sanitized)
    print(f"{'ASan live heap' if sanitized else 'RSS'}: {before} -> {after} bytes ({after - before:+d}) over 2000 dropped databases")
    assert after - before < 1 << 20
