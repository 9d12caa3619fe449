#!/usr/bin/python3
"""libtorrent's side of bench/dht: one fresh libtorrent session (python3-libtorrent, run with
/usr/bin/python3) that joins a DHT through one node and does one thing, then exits.

  dht_lt.py lookup BOOTSTRAP_HOST:PORT INFOHASH
      Bootstraps (waits for dht_bootstrap_alert), then runs one get_peers lookup with
      session.dht_get_peers and waits until the session has no get_peers lookup running (polled with
      post_dht_stats every 10 ms). Prints one JSON line:
        {"elapsed_ms": ..., "messages": ..., "get_peers_sent": ..., "peers": N}
      messages = dht.dht_messages_out during the lookup (the session counter of DHT datagrams sent),
      get_peers_sent = dht.dht_get_peers_out during the lookup.

  dht_lt.py magnet BOOTSTRAP_HOST:PORT MAGNET_URI DIR
      Prints "start" just before it makes the session (so Python's start-up is not counted against
      libtorrent), then "peer" when the first dht_reply_alert with peers arrives, then "done" when the
      torrent is complete, and exits. Gives up after 60 s (exit 1).

Sessions are made by tests/interop/lt_dht.py's make_session: everything on 127.0.0.1, LSD/UPnP/
NAT-PMP off, no uTP, no outgoing encryption, and the DHT restrictions that stop a DHT forming on
one address off.
"""
import json
import os
import sys
import time

import libtorrent as lt

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "interop"))
import lt_dht  # noqa: E402  (the shared session settings)


def make_session(bootstrap):
    # The sessions of the bench's DHT and the fresh ones here are made alike (tests/interop/lt_dht.py),
    # with tracker alerts (dht_reply_alert) and session stats on top.
    return lt_dht.make_session(bootstrap, lt.alert.category_t.tracker_notification
                               | lt.alert.category_t.stats_notification)


def wait_for(ses, predicate, deadline):
    end = time.time() + deadline
    while time.time() < end:
        ses.wait_for_alert(10)
        for a in ses.pop_alerts():
            r = predicate(a)
            if r is not None:
                return r
    return None


def counters(ses):
    ses.post_session_stats()
    return wait_for(ses, lambda a: a.values if isinstance(a, lt.session_stats_alert) else None, 10)


def lookup(bootstrap, infohash):
    ses = make_session(bootstrap)
    if wait_for(ses, lambda a: True if isinstance(a, lt.dht_bootstrap_alert) else None, 30) is None:
        print(json.dumps({"error": "no dht_bootstrap_alert in 30 s"}), flush=True)
        return 1
    before = counters(ses)
    found = set()
    target = lt.sha1_hash(bytes.fromhex(infohash))
    start = time.monotonic()
    ses.dht_get_peers(target)
    running = True
    deadline = start + 30
    while running and time.monotonic() < deadline:
        ses.post_dht_stats()
        stats = None
        while stats is None and time.monotonic() < deadline:
            ses.wait_for_alert(10)
            for a in ses.pop_alerts():
                if isinstance(a, lt.dht_get_peers_reply_alert) and a.info_hash == target:
                    found.update(f"{ip}:{port}" for ip, port in a.peers())
                elif isinstance(a, lt.dht_stats_alert):
                    stats = a
        # The lookup shows up in active_requests from the first poll on; done once it is gone.
        running = stats is not None and any(r.get("type") == "get_peers" for r in stats.active_requests)
    elapsed = time.monotonic() - start
    after = counters(ses)
    print(json.dumps({
        "elapsed_ms": round(elapsed * 1000, 1),
        "messages": after["dht.dht_messages_out"] - before["dht.dht_messages_out"],
        "get_peers_sent": after["dht.dht_get_peers_out"] - before["dht.dht_get_peers_out"],
        "peers": len(found),
    }), flush=True)
    return 0


def magnet(bootstrap, uri, directory):
    print("start", flush=True)
    ses = make_session(bootstrap)
    params = lt.parse_magnet_uri(uri)
    params.save_path = directory
    h = ses.add_torrent(params)
    said_peer = False
    end = time.time() + 60
    while time.time() < end:
        ses.wait_for_alert(5)
        for a in ses.pop_alerts():
            if not said_peer and isinstance(a, lt.dht_reply_alert) and a.num_peers > 0:
                print("peer", flush=True)
                said_peer = True
        if h.status().is_seeding:
            print("done", flush=True)
            return 0
    return 1


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "lookup":
        return lookup(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 5 and sys.argv[1] == "magnet":
        return magnet(sys.argv[2], sys.argv[3], sys.argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
