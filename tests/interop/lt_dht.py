#!/usr/bin/python3
"""Many libtorrent sessions with the DHT on, for agora's DHT tests (run with /usr/bin/python3).

  lt_dht.py COUNT BOOTSTRAP_HOST:PORT

Starts COUNT sessions on 127.0.0.1, each bootstrapping from the given node, prints one JSON line
{"ports": [...]} and then reads commands, one per line, answering each with one JSON line:

  get_peers I INFOHASH            session I looks up INFOHASH               -> {"peers": ["ip:port", ...]}
  put_immutable I TEXT            -> {"target": HEX}
  get_immutable I TARGET          -> {"value": TEXT} or {"value": null}
  put_mutable I SEED PUBKEY SALT TEXT   (SEED, PUBKEY in hex)               -> {"ok": true}
  get_mutable I PUBKEY SALT       -> {"value": TEXT, "seq": N} or {"value": null}
  seed I TORRENT DIR              session I seeds (announcing on the DHT)   -> {"ok": true}
  magnet I URI DIR                session I downloads a bare magnet link    -> {"done": true} (or false)
  nodes I                         -> {"nodes": N}  (routing table size)
  quit

Everything stays on 127.0.0.1: LSD, UPnP and NAT-PMP are off; uTP and outgoing encryption too.
Every wait has a deadline (20 s; 60 s for a download) so a broken peer cannot hang a test.
"""
import hashlib
import json
import sys
import time

import libtorrent as lt

DEADLINE = 20.0


def make_session(bootstrap, extra_alerts=0):
    """A session on 127.0.0.1 joining the DHT through `bootstrap`; bench/dht_lt.py uses it too,
    asking for more alert categories."""
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": True, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "dht_bootstrap_nodes": bootstrap,
        # A DHT of sessions on one address forms only without these (INTEROP-NOTES.md).
        "dht_restrict_routing_ips": False, "dht_restrict_search_ips": False,
        "dht_ignore_dark_internet": False, "dht_enforce_node_id": False,
        "dht_prefer_verified_node_ids": False,
        "dht_block_ratelimit": 1000,
        "allow_multiple_connections_per_ip": True,
        "enable_outgoing_utp": False, "enable_incoming_utp": False,
        "out_enc_policy": 2, "in_enc_policy": 1,
        "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification
        | lt.alert.category_t.dht_notification | lt.alert.category_t.dht_operation_notification | extra_alerts,
    }
    ses = lt.session(settings)
    host, port = bootstrap.rsplit(":", 1)
    ses.add_dht_node((host, int(port)))
    return ses


def wait_for(ses, predicate, deadline=DEADLINE):
    """Pops alerts until predicate(alert) returns something other than None."""
    end = time.time() + deadline
    while time.time() < end:
        ses.wait_for_alert(200)
        for a in ses.pop_alerts():
            r = predicate(a)
            if r is not None:
                return r
    return None


def item_value(item):
    """The python bindings give an item as {'key': ..., 'value': ...} (or the bare value)."""
    if isinstance(item, dict) and "value" in item:
        item = item["value"]
    if isinstance(item, bytes):
        return item.decode(errors="replace")
    return None if item in (None, b"", {}) else str(item)


def expanded_secret(seed):
    """libtorrent signs with orlp/ed25519's 64-byte secret: SHA-512(seed), first half clamped."""
    h = bytearray(hashlib.sha512(seed).digest())
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return bytes(h)


def main():
    count, bootstrap = int(sys.argv[1]), sys.argv[2]
    sessions = [make_session(bootstrap) for _ in range(count)]
    print(json.dumps({"ports": [s.listen_port() for s in sessions]}), flush=True)
    handles = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd = words[0]
        if cmd == "quit":
            break
        i = int(words[1])
        ses = sessions[i]
        out = {}
        # (session.dht_announce is not usable from Python 2.0's bindings: its flags argument has no
        # converter. A session announces by seeding a torrent instead.)
        if cmd == "get_peers":
            target = lt.sha1_hash(bytes.fromhex(words[2]))
            ses.dht_get_peers(target)
            found = set()

            def on_peers(a):
                if isinstance(a, lt.dht_get_peers_reply_alert) and a.info_hash == target:
                    for ip, port in a.peers():
                        found.add(f"{ip}:{port}")
                    return True
                return None
            wait_for(ses, on_peers)
            out = {"peers": sorted(found)}
        elif cmd == "put_immutable":
            target = ses.dht_put_immutable_item(" ".join(words[2:]).encode())
            wait_for(ses, lambda a: True if isinstance(a, lt.dht_put_alert) else None)
            out = {"target": str(target)}
        elif cmd == "get_immutable":
            ses.dht_get_immutable_item(lt.sha1_hash(bytes.fromhex(words[2])))
            value = wait_for(ses, lambda a: item_value(a.item) if isinstance(a, lt.dht_immutable_item_alert) else None)
            out = {"value": value}
        elif cmd == "put_mutable":
            seed, pub, salt = bytes.fromhex(words[2]), bytes.fromhex(words[3]), words[4].encode()
            ses.dht_put_mutable_item(expanded_secret(seed), pub, " ".join(words[5:]).encode(), salt)
            r = wait_for(ses, lambda a: a.num_success if isinstance(a, lt.dht_put_alert) else None)
            out = {"ok": bool(r), "stored_at": r}
        elif cmd == "get_mutable":
            pub, salt = bytes.fromhex(words[2]), words[3].encode()
            ses.dht_get_mutable_item(pub, salt)
            best = {}

            def on_item(a):
                if isinstance(a, lt.dht_mutable_item_alert):
                    if item_value(a.item) is not None:
                        best["value"], best["seq"] = item_value(a.item), a.seq
                    if a.authoritative:
                        return True
                return None
            wait_for(ses, on_item)
            out = {"value": best.get("value"), "seq": best.get("seq")}
        elif cmd == "seed":
            params = lt.add_torrent_params()
            params.ti = lt.torrent_info(words[2])
            params.save_path = words[3]
            handles[i] = ses.add_torrent(params)
            wait_for(ses, lambda a: True if handles[i].status().is_seeding else None)
            handles[i].force_dht_announce()
            out = {"ok": handles[i].status().is_seeding}
        elif cmd == "magnet":
            params = lt.parse_magnet_uri(words[2])
            params.save_path = words[3]
            h = ses.add_torrent(params)
            end = time.time() + 60
            while time.time() < end and not h.status().is_seeding:
                ses.wait_for_alert(200)
                ses.pop_alerts()
            out = {"done": h.status().is_seeding}
        elif cmd == "nodes":
            ses.post_dht_stats()
            n = wait_for(ses, lambda a: sum(b["num_nodes"] for b in a.routing_table)
                         if isinstance(a, lt.dht_stats_alert) else None)
            out = {"nodes": n}
        else:
            out = {"error": "unknown command " + cmd}
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
