#!/usr/bin/python3
"""What the real libtorrent (Debian's python3-libtorrent 2.0.8) says about a torrent.

The interop tests and bench/create compare agora with this oracle. Run it with /usr/bin/python3,
the system interpreter: that is the one with the libtorrent module.

  lt_oracle.py info TORRENT
      {"v1": hex|null, "v2": hex|null, "files": [{"path", "size"}] (pad files left out),
       "piece_length": N, "num_pieces": N}
  lt_oracle.py create PATH OUT [--piece-size N] [--v1-only]
      hashes PATH into OUT with lt.create_torrent + lt.set_piece_hashes (hybrid by default)
  lt_oracle.py check TORRENT SAVE_DIR
      adds the torrent to a private session, lets libtorrent check the data, prints
      {"have": [piece indices libtorrent has]}

Exit codes: 0 done, 1 libtorrent reported an error or timed out, 2 bad command line.
"""

import argparse
import json
import os
import sys
import time

import libtorrent as lt

CHECK_TIMEOUT_S = 60.0
ALERT_WAIT_MS = 200


def hex_or_none(digest, present):
    return str(digest) if present else None


def cmd_info(args):
    ti = lt.torrent_info(args.torrent)
    hashes = ti.info_hashes()
    fs = ti.files()
    files = []
    for i in range(fs.num_files()):
        if fs.file_flags(i) & lt.file_storage.flag_pad_file:
            continue
        # file_path joins with the OS separator; agora reports '/' (same on Linux).
        files.append({"path": fs.file_path(i), "size": fs.file_size(i)})
    out = {
        "v1": hex_or_none(hashes.v1, hashes.has_v1()),
        "v2": hex_or_none(hashes.v2, hashes.has_v2()),
        "files": files,
        "piece_length": ti.piece_length(),
        "num_pieces": ti.num_pieces(),
    }
    print(json.dumps(out))  # ASCII with \u escapes: safe under any locale
    return 0


def cmd_create(args):
    fs = lt.file_storage()
    path = os.path.abspath(args.path)
    lt.add_files(fs, path)
    if fs.num_files() == 0:
        print("lt_oracle: no files under " + path, file=sys.stderr)
        return 1
    flags = lt.create_torrent.v1_only if args.v1_only else 0
    ct = lt.create_torrent(fs, args.piece_size, flags)
    # set_piece_hashes reads the files relative to the folder holding PATH.
    lt.set_piece_hashes(ct, os.path.dirname(path))
    with open(args.out, "wb") as f:
        f.write(lt.bencode(ct.generate()))
    return 0


def make_session():
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "alert_mask": lt.alert.category_t.status_notification | lt.alert.category_t.error_notification,
    }
    return lt.session(settings)


def wait_until_checked(ses, handle):
    """Polls alerts until libtorrent says the torrent is checked; returns an error text or None."""
    checking = (lt.torrent_status.states.checking_files, lt.torrent_status.states.checking_resume_data)
    deadline = time.monotonic() + CHECK_TIMEOUT_S
    while time.monotonic() < deadline:
        ses.wait_for_alert(ALERT_WAIT_MS)
        for a in ses.pop_alerts():
            if isinstance(a, lt.torrent_checked_alert):
                return None
            if isinstance(a, (lt.torrent_error_alert, lt.file_error_alert)):
                return a.message()
        # Belt and braces: stop_when_ready pauses the torrent right after its check, so a paused
        # torrent that is no longer checking is checked even if the alert was not seen.
        st = handle.status()
        if st.state not in checking and st.paused:
            return None
    return "timed out after %.0f s waiting for libtorrent to check the data" % CHECK_TIMEOUT_S


def cmd_check(args):
    ses = make_session()
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(args.torrent)
    params.save_path = os.path.abspath(args.save_dir)
    # stop_when_ready pauses the torrent once checked: libtorrent then neither downloads nor
    # creates files in SAVE_DIR. Not auto-managed, so the queue cannot hold checking back.
    params.flags = lt.torrent_flags.stop_when_ready
    handle = ses.add_torrent(params)
    error = wait_until_checked(ses, handle)
    if error is not None:
        print("lt_oracle check: " + error, file=sys.stderr)
        return 1
    pieces = handle.status(lt.status_flags_t.query_pieces).pieces
    have = [i for i, had in enumerate(pieces) if had]
    ses.remove_torrent(handle)
    print(json.dumps({"have": have}))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("info")
    p.add_argument("torrent")
    p.set_defaults(run=cmd_info)
    p = sub.add_parser("create")
    p.add_argument("path")
    p.add_argument("out")
    p.add_argument("--piece-size", type=int, default=0)
    p.add_argument("--v1-only", action="store_true")
    p.set_defaults(run=cmd_create)
    p = sub.add_parser("check")
    p.add_argument("torrent")
    p.add_argument("save_dir")
    p.set_defaults(run=cmd_check)
    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
