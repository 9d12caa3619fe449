// What a torrent knows about one connected peer (BEP 3 connection state, plus BEP 6, BEP 10 and
// BEP 11).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bitfield.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "swarm/contact.hpp"
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
    std::optional<Contact> address;  // `key` parsed once, when it is an IP literal (for PEX)
    bool outgoing = false;      // we connected to it, so `key` is an address it listens on
    bool fast = false;          // BEP 6 on both sides
    bool extensions = false;    // BEP 10 on both sides
    bool told_our_address = false;  // its "yourip" was passed on (AddressSeen)
    Bitfield has;

    bool am_choking = true;
    bool am_interested = false;
    bool peer_choking = true;
    bool peer_interested = false;
    TimePoint last_unchoked;

    std::vector<OutstandingRequest> requests;  // ours to them
    // Theirs to us, in order. A vector: an empty deque costs 576 bytes, in every peer of every node
    // of a simulation. Served ones are erased from near the front, which moves the rest: up to
    // our_reqq of 16 bytes each, and a few dozen in practice.
    std::vector<IncomingRequest> incoming;
    std::size_t unsent = 0;                    // bytes sent to them the driver has not written yet
    std::uint32_t peer_reqq = 250;              // how many requests they accept queued (BEP 10 reqq)
    std::uint8_t ut_metadata_id = 0;            // their id for ut_metadata (0: not supported)
    std::uint8_t ut_pex_id = 0;                 // their id for ut_pex (0: not supported)
    std::optional<std::uint16_t> listen_port;   // "p" of their extended handshake
    bool upload_only = false;                   // BEP 21, from their extended handshake
    // BEP 11 bookkeeping. What we told this peer in our PEX messages and have not dropped since:
    // the next message is the difference between this and who is connected then. Kept sorted, a
    // flat set: half the memory of a std::set and no allocation per contact (every peer has one).
    std::vector<Contact> pex_told;
    bool pex_sent_once = false;                 // the first message may be longer (a full list)
    // When our next ut_pex message to it is due: max until it offers ut_pex in its extended
    // handshake, then the torrent's next one-second tick, then pex_interval after each message.
    TimePoint pex_due = TimePoint::max();
    std::optional<TimePoint> pex_last_accepted; // when we last took a PEX message from this peer
    bool snubbed = false;
    // Trust in this peer's data. Until a piece it helped with passes its hash, it may span only
    // a few pieces at once (so a liar wastes few before it is caught); after a piece it helped
    // with fails, it is on parole: it downloads one piece at a time, alone, so the next failure
    // proves it guilty (libtorrent's parole mode).
    bool proven = false;
    bool parole = false;
    // What the last pick for this peer depended on, when it found nothing: the same pick is not
    // made again until one of these changes (Torrent::fill_requests).
    struct PickInputs {
        std::uint64_t picker_epoch = 0;
        std::size_t requests = 0;
        bool may_start = false;  // the memory budget lets a new piece start
        bool proven = false;
        bool parole = false;
        bool operator==(const PickInputs&) const = default;
    };
    std::optional<PickInputs> found_nothing;  // reset whenever `has` changes

    TimePoint connected_at;
    TimePoint last_received;
    TimePoint last_sent;
    RateMeter download;  // payload from them
    RateMeter upload;    // payload to them
};

}  // namespace agora::swarm
