#include "core/merkle.hpp"

#include <vector>

#include "core/assert.hpp"
#include "core/hash.hpp"

namespace agora {

std::size_t next_pow2(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

namespace {
Sha256 hash_pair(Sha256Hasher& h, const Sha256& left, const Sha256& right) {
    h.update(left.view());
    h.update(right.view());
    return h.finish();
}
}  // namespace

Sha256 merkle_pad(std::size_t leaf_count) {
    AGORA_ASSERT(leaf_count > 0 && (leaf_count & (leaf_count - 1)) == 0);
    Sha256Hasher h;
    Sha256 node{};  // a zero leaf
    for (std::size_t n = leaf_count; n > 1; n /= 2) node = hash_pair(h, node, node);
    return node;
}

Sha256 merkle_root(std::span<const Sha256> leaves, std::size_t padded_count, const Sha256& pad) {
    AGORA_ASSERT(padded_count > 0 && (padded_count & (padded_count - 1)) == 0);
    AGORA_ASSERT(leaves.size() <= padded_count);
    if (padded_count == 1) return leaves.empty() ? pad : leaves[0];

    // Only the real leaves are stored; at each level the nodes past them are all `level_pad`.
    Sha256Hasher h;
    std::vector<Sha256> level(leaves.begin(), leaves.end());
    Sha256 level_pad = pad;
    for (std::size_t width = padded_count; width > 1; width /= 2) {
        std::vector<Sha256> up;
        up.reserve((level.size() + 1) / 2);
        for (std::size_t i = 0; i < level.size(); i += 2) {
            const Sha256& right = i + 1 < level.size() ? level[i + 1] : level_pad;
            up.push_back(hash_pair(h, level[i], right));
        }
        level_pad = hash_pair(h, level_pad, level_pad);
        level = std::move(up);
        if (level.empty()) level.push_back(level_pad);
    }
    return level[0];
}

}  // namespace agora
