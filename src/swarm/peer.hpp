// What a torrent knows about one connected peer (BEP 3 connection state, plus BEP 6 and BEP 10).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "core/bitfield.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "swarm/piece_picker.hpp"
#include "swarm/rate.hpp"

namespace agora::swarm {

struct OutstandingRequest {
    BlockRef block;
    TimePoint sent_at;
};

struct IncomingRequest {
    PieceIndex piece;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    bool reading = false;  // a disk read is in flight for it
};

struct Peer {
    PeerHandle handle;
    std::string key;            // ip:port, for bans and smart ban
    bool fast = false;          // BEP 6 on both sides
    bool extensions = false;    // BEP 10 on both sides
    Bitfield has;

    bool am_choking = true;
    bool am_interested = false;
    bool peer_choking = true;
    bool peer_interested = false;
    TimePoint last_unchoked;

    std::vector<OutstandingRequest> requests;  // ours to them
    std::deque<IncomingRequest> incoming;      // theirs to us, in order
    std::uint32_t peer_reqq = 250;              // how many requests they accept queued (BEP 10 reqq)
    std::uint8_t ut_metadata_id = 0;            // their id for ut_metadata (0: not supported)
    bool snubbed = false;
    // Trust in this peer's data. Until a piece it helped with passes its hash, it may span only
    // a few pieces at once (so a liar wastes few before it is caught); after a piece it helped
    // with fails, it is on parole: it downloads one piece at a time, alone, so the next failure
    // proves it guilty (libtorrent's parole mode).
    bool proven = false;
    bool parole = false;

    TimePoint connected_at;
    TimePoint last_received;
    TimePoint last_sent;
    RateMeter download;  // payload from them
    RateMeter upload;    // payload to them
};

}  // namespace agora::swarm
