// Max-min fair sharing by progressive filling, on cases small enough to solve by hand.
#include <gtest/gtest.h>

#include <vector>

#include "sim/fair_share.hpp"

namespace agora::sim {
namespace {

std::vector<double> solve(const std::vector<double>& capacity, const std::vector<FairShareFlow>& flows) {
    FairShareSolver solver;
    std::vector<double> rates(flows.size(), -1);
    solver.solve(capacity, flows, rates);
    return rates;
}

// Proves a lone flow gets the smaller of its two capacities.
TEST(FairShare, SingleFlowGetsTheBottleneck) {
    const auto rates = solve({100, 30}, {{0, 1}});
    EXPECT_DOUBLE_EQ(rates[0], 30);
    EXPECT_DOUBLE_EQ(solve({20, 30}, {{0, 1}})[0], 20);
}

// Proves a capped flow (TCP under loss) stops at its cap and leaves the rest to the others, and a
// cap above the fair share changes nothing.
TEST(FairShare, ACappedFlowLeavesTheRestToTheOthers) {
    // resources: 0 = A up (100), 1 = B down (1000), 2 = C down (1000), 3 = D down (1000)
    const auto rates = solve({100, 1000, 1000, 1000}, {{0, 1, 10}, {0, 2}, {0, 3}});
    EXPECT_DOUBLE_EQ(rates[0], 10);
    EXPECT_DOUBLE_EQ(rates[1], 45);
    EXPECT_DOUBLE_EQ(rates[2], 45);
    const auto loose = solve({100, 1000, 1000}, {{0, 1, 70}, {0, 2}});
    EXPECT_DOUBLE_EQ(loose[0], 50);
    EXPECT_DOUBLE_EQ(loose[1], 50);
    // A cap below a flow's resource on the other side: the other flows of that side rise.
    const auto mixed = solve({100, 30}, {{0, 1, 5}, {0, 1}});
    EXPECT_DOUBLE_EQ(mixed[0], 5);
    EXPECT_DOUBLE_EQ(mixed[1], 25);
}

// Proves flows from one sender to fast receivers split its upload equally.
TEST(FairShare, TwoFlowsShareAnUploadEqually) {
    // resources: 0 = A up (100), 1 = B down (1000), 2 = C down (1000)
    const auto rates = solve({100, 1000, 1000}, {{0, 1}, {0, 2}});
    EXPECT_DOUBLE_EQ(rates[0], 50);
    EXPECT_DOUBLE_EQ(rates[1], 50);
}

// Proves capacity a bottlenecked flow cannot use goes to the others (the max-min property):
// A uploads 100 to B (download 30) and C (download 1000). Equal split would be 50/50, but B can
// take only 30, so C gets the remaining 70.
TEST(FairShare, UnusedShareGoesToTheOthers) {
    const auto rates = solve({100, 30, 1000}, {{0, 1}, {0, 2}});
    EXPECT_DOUBLE_EQ(rates[0], 30);
    EXPECT_DOUBLE_EQ(rates[1], 70);
}

// A hand-solved case with three levels. Resources: 0 = A up 90, 1 = B up 1000, 2 = X down 40,
// 3 = Y down 1000, 4 = Z down 20. Flows: A->X, A->Y, A->Z, B->X, B->Y.
// Fill: Z fills first at 20 (A->Z = 20). X then has 40 for two flows: 20 each (A->X, B->X).
// A has 90 - 20 - 20 = 50 left for A->Y alone: 50. B has 1000 - 20 for B->Y, but Y has
// 1000 - 50 = 950 left: B->Y = 950.
TEST(FairShare, HandSolvedThreeLevels) {
    const auto rates = solve({90, 1000, 40, 1000, 20}, {{0, 2}, {0, 3}, {0, 4}, {1, 2}, {1, 3}});
    EXPECT_DOUBLE_EQ(rates[0], 20);   // A->X
    EXPECT_DOUBLE_EQ(rates[1], 50);   // A->Y
    EXPECT_DOUBLE_EQ(rates[2], 20);   // A->Z
    EXPECT_DOUBLE_EQ(rates[3], 20);   // B->X
    EXPECT_DOUBLE_EQ(rates[4], 950);  // B->Y
}

// Proves that whatever the shape, no resource is over-allocated and every flow is limited by
// some full resource on which it has the largest rate (the definition of max-min fairness).
TEST(FairShare, RandomCasesAreFeasibleAndMaxMin) {
    std::uint64_t state = 12345;
    auto next = [&state] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(state >> 33);
    };
    FairShareSolver solver;
    for (int round = 0; round < 200; ++round) {
        const std::uint32_t resources = 2 + next() % 12;
        std::vector<double> capacity(resources);
        for (double& c : capacity) c = 1 + next() % 1000;
        std::vector<FairShareFlow> flows(1 + next() % 30);
        for (auto& f : flows) f = {next() % resources, next() % resources};
        std::vector<double> rates(flows.size());
        solver.solve(capacity, flows, rates);
        std::vector<double> used(resources, 0);
        for (std::size_t i = 0; i < flows.size(); ++i) {
            used[flows[i].first] += rates[i];
            if (flows[i].second != flows[i].first) used[flows[i].second] += rates[i];
        }
        for (std::uint32_t r = 0; r < resources; ++r) EXPECT_LE(used[r], capacity[r] * (1 + 1e-9));
        for (std::size_t i = 0; i < flows.size(); ++i) {
            bool bottlenecked = false;
            for (const std::uint32_t r : {flows[i].first, flows[i].second}) {
                if (used[r] < capacity[r] * (1 - 1e-9)) continue;  // not full
                bool largest = true;
                for (std::size_t j = 0; j < flows.size(); ++j) {
                    const bool crosses = flows[j].first == r || flows[j].second == r;
                    if (crosses && rates[j] > rates[i] * (1 + 1e-9)) largest = false;
                }
                bottlenecked = bottlenecked || largest;
            }
            EXPECT_TRUE(bottlenecked) << "round " << round << " flow " << i;
        }
    }
}

}  // namespace
}  // namespace agora::sim
