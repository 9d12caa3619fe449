// Churn under the simulator: arrivals and departures, half the nodes leaving at once; downloads
// still complete and lookups recover.
#include <gtest/gtest.h>

#include <cstdio>

#include "sim/churn.hpp"

namespace agora::sim {
namespace {

ChurnConfig small() {
    ChurnConfig c;
    c.initial = 30;
    c.arrivals_per_s = 0.2;
    c.session_min = std::chrono::seconds(120);
    c.departure_at = std::chrono::seconds(100);
    c.duration = std::chrono::seconds(240);
    c.lookup_interval = std::chrono::seconds(10);
    c.lookups_per_interval = 10;
    c.file_bytes = 2 << 20;
    return c;
}

TEST(Churn, HalfTheNodesLeaveAndTheNetworkRecovers) {
    const auto r = run_churn(small(), 9);
    ASSERT_FALSE(r.failure) << *r.failure;
    std::printf("arrived %u, completed %u, left incomplete %u, departed at once %u; found before %.2f, after %.2f, "
                "at the end %.2f, recovery %.0f s\n",
                r.arrived, r.completed, r.left_incomplete, r.departed_at_once, r.found_before, r.found_after, r.found_end,
                r.recovery_s.value_or(-1));
    EXPECT_GT(r.arrived, 30u);            // Poisson arrivals came on top of the first 30
    EXPECT_GE(r.departed_at_once, 10u);   // half of those alive at 100 s
    // Most arrivals complete despite the churn (2 MiB from a fast seed and each other).
    EXPECT_GE(r.completed * 10, r.arrived * 7) << r.completed << " of " << r.arrived;
    // Lookups found the closest live node before, and do again after the departure.
    EXPECT_GE(r.found_before, 0.8);
    ASSERT_TRUE(r.recovery_s.has_value());
    EXPECT_LE(*r.recovery_s, 120);
    EXPECT_GE(r.found_end, 0.8);
    ASSERT_FALSE(r.series.empty());
    EXPECT_LT(r.series.back().alive, r.arrived + 1);
}

}  // namespace
}  // namespace agora::sim
