// The scenario file of `agora sim` (TOML; every key is documented in scenarios/README.md): which
// kind of world to build, how many nodes, their links, and the knobs of each kind. Every value is
// checked against its range and an unknown key is an error, so a typo never runs a different
// experiment than the one written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sim/churn.hpp"
#include "sim/dht_scale.hpp"
#include "sim/flash_crowd.hpp"
#include "sim_report.hpp"

namespace agora::cli {

struct Scenario {
    ScenarioInfo info;
    std::vector<LinkCondition> conditions;  // lossy
    std::vector<std::uint32_t> sizes;  // leechers (flash-crowd) or nodes (dht-scale): one world each
    sim::FlashCrowdConfig crowd;
    sim::DhtScaleConfig dht;
    sim::ChurnConfig churn;
};

// `path` names the text in errors, and its stem names the scenario.
Result<Scenario> parse_scenario(std::string_view text, const std::string& path);
Result<Scenario> read_scenario(const std::string& path);

}  // namespace agora::cli
