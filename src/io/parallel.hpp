// The worker pool for disk and hashing work: `threads` workers take item indices from a shared
// counter until none are left. Each worker has its own state (a FileAccess, a PieceHasher), so
// nothing inside the loop needs a lock. With two cores, two workers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace agora::io {

unsigned default_worker_count();

// Calls work(worker, item) for every item in [0, count), spread over `threads` workers.
template <typename MakeState, typename Work>
void parallel_for(std::uint32_t count, unsigned threads, MakeState make_state, Work work) {
    std::atomic<std::uint32_t> next{0};
    auto loop = [&] {
        auto state = make_state();
        for (std::uint32_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) work(state, i);
    };
    std::vector<std::jthread> workers;
    for (unsigned t = 1; t < threads; ++t) workers.emplace_back(loop);
    loop();
}

}  // namespace agora::io
