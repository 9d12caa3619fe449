// Fetching a torrent's info dictionary from peers (BEP 9, ut_metadata), for magnet links: the
// dictionary is asked for in 16 KiB pieces, spread over the peers that offer it, and accepted only
// if it hashes to the info-hash the magnet link named. A sans-I/O helper of the engine.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/clock.hpp"
#include "core/digest.hpp"
#include "core/ids.hpp"

namespace agora::session {

class MetadataFetch {
public:
    explicit MetadataFetch(InfoHashes expected) : expected_(std::move(expected)) {}

    // A peer said (extended handshake) it has the metadata, `size` bytes. False: the size
    // disagrees with what other peers said, or is out of range; ignore that peer.
    bool add_peer(PeerHandle peer, std::int64_t size);
    void remove_peer(PeerHandle peer);
    // A piece to ask `peer` for now, if any (one request in flight per peer).
    std::optional<std::uint32_t> next_request(PeerHandle peer, TimePoint now);
    // A piece arrived. False: it does not fit (wrong size, not asked for); drop the peer.
    bool on_data(PeerHandle peer, std::uint32_t piece, std::int64_t total_size, BytesView data);
    void on_reject(PeerHandle peer, std::uint32_t piece);

    bool complete() const;
    // The whole dictionary if it hashes to the expected info-hash; otherwise clears everything
    // fetched (a peer lied) and returns nullopt.
    std::optional<Bytes> take_verified();

private:
    struct Piece {
        bool have = false;
        std::optional<PeerHandle> asked;
        TimePoint asked_at;
    };
    InfoHashes expected_;
    std::optional<std::int64_t> size_;
    Bytes data_;
    std::vector<Piece> pieces_;
    std::map<std::uint32_t, bool> peers_;  // peer handle value -> has a request in flight
};

}  // namespace agora::session
