// Finding the peer that sent bad data (libtorrent's "smart ban"). When a piece fails its hash we
// remember who sent each block and a digest of it; when the piece later passes, every peer whose
// remembered block differs from the good one lied, and is banned. Until then the peers that took
// part in the failure are suspects for that piece: it is fetched again from others if possible.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/digest.hpp"
#include "core/ids.hpp"

namespace agora::swarm {

class SmartBan {
public:
    // `sources[i]` sent block i, whose SHA-1 is `digests[i]`.
    void piece_failed(PieceIndex piece, const std::vector<std::string>& sources, const std::vector<Sha1>& digests);
    // The piece passed with these block digests: the peers that had sent something else.
    std::vector<std::string> piece_passed(PieceIndex piece, const std::vector<Sha1>& digests);
    bool is_suspect(PieceIndex piece, const std::string& peer) const;
    bool has_record(PieceIndex piece) const { return records_.contains(piece.value); }

private:
    struct Block {
        std::string source;
        Sha1 digest;
    };
    // Per failed piece, every (source, digest) seen per block over all failures.
    std::map<std::uint32_t, std::vector<std::vector<Block>>> records_;
};

}  // namespace agora::swarm
