#include "swarm/smart_ban.hpp"

#include <algorithm>

namespace agora::swarm {

void SmartBan::piece_failed(PieceIndex piece, const std::vector<std::string>& sources,
                            const std::vector<Sha1>& digests) {
    auto& record = records_[piece.value];
    record.resize(std::max(record.size(), digests.size()));
    for (std::size_t i = 0; i < digests.size(); ++i) record[i].push_back(Block{sources[i], digests[i]});
}

std::vector<std::string> SmartBan::piece_passed(PieceIndex piece, const std::vector<Sha1>& digests) {
    std::vector<std::string> liars;
    auto it = records_.find(piece.value);
    if (it == records_.end()) return liars;
    for (std::size_t i = 0; i < it->second.size() && i < digests.size(); ++i)
        for (const auto& b : it->second[i])
            if (b.digest != digests[i] && std::find(liars.begin(), liars.end(), b.source) == liars.end())
                liars.push_back(b.source);
    records_.erase(it);
    return liars;
}

bool SmartBan::is_suspect(PieceIndex piece, const std::string& peer) const {
    auto it = records_.find(piece.value);
    if (it == records_.end()) return false;
    for (const auto& block : it->second)
        for (const auto& b : block)
            if (b.source == peer) return true;
    return false;
}

}  // namespace agora::swarm
