#!/usr/bin/python3
"""A libtorrent peer for agora's swarm tests (run with /usr/bin/python3, which has libtorrent).

  lt_peer.py seed TORRENT SAVE_DIR            seed until killed
  lt_peer.py get TORRENT SAVE_DIR [--peer HOST:PORT]...   download, exit 0 when complete

Prints 'listening on port N' on stderr once ready, 'complete' when the data is whole.
Everything stays on 127.0.0.1; DHT, LSD, UPnP and NAT-PMP are off; uTP and outgoing encryption too.
"""
import sys
import time

import libtorrent as lt


def main():
    mode, torrent, save = sys.argv[1], sys.argv[2], sys.argv[3]
    peers = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--peer"]
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
        "allow_multiple_connections_per_ip": True,
        # agora speaks plain TCP (no uTP, no MSE/PE encryption yet): say so up front instead of
        # letting libtorrent find out by timeouts and retries.
        "enable_outgoing_utp": False, "enable_incoming_utp": False,
        "out_enc_policy": 2, "in_enc_policy": 1,  # 2 = pe_disabled, 1 = pe_enabled
        "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
    }
    ses = lt.session(settings)
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save
    handle = ses.add_torrent(params)
    print(f"listening on port {ses.listen_port()}", file=sys.stderr, flush=True)
    for p in peers:
        host, port = p.rsplit(":", 1)
        handle.connect_peer((host, int(port)))
    announced = False
    while True:
        status = handle.status()
        if status.is_seeding and not announced:
            print("complete", file=sys.stderr, flush=True)
            announced = True
            if mode == "get":
                return 0
        # Reconnect to the given peers now and then: the first attempt may precede their listen.
        for p in peers:
            host, port = p.rsplit(":", 1)
            handle.connect_peer((host, int(port)))
        ses.wait_for_alert(500)
        ses.pop_alerts()


if __name__ == "__main__":
    sys.exit(main())
