// What `agora sim` writes into its output folder: a JSON summary, CSV time series and per-node
// results, and plots drawn by gnuplot from those CSVs. Every number is printed with a fixed
// format and nothing about the wall clock or the machine goes in, so one scenario and seed give
// byte-identical files.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "sim/churn.hpp"
#include "sim/dht_scale.hpp"
#include "sim/flash_crowd.hpp"

namespace agora::cli {

// One network condition of the lossy scenario: datagram and TCP loss, one-way latency range.
struct LinkCondition {
    double loss = 0;
    double latency_min_ms = 0, latency_max_ms = 0;
};
struct LossyRun {
    LinkCondition condition;
    sim::FlashCrowdResult crowd;
    sim::DhtScaleResult dht;
};

struct ScenarioInfo {
    std::string name;  // the scenario file's stem: "flash-crowd"
    std::string kind;
    std::uint64_t seed = 0;
};

// Writes summary.json, flash-crowd.csv (one row per crowd size), timeseries-N.csv, nodes-N.csv,
// and completion.{png,svg} and progress-N.{png,svg} when gnuplot is installed (a note on stderr
// otherwise).
Status write_flash_crowd(const std::string& dir, const ScenarioInfo& scenario,
                         const std::vector<sim::FlashCrowdResult>& runs);

// Writes summary.json, dht-scale.csv (one row per network size: quantiles of hops, messages and
// latency), lookups-N.csv, and hops/messages/latency.{png,svg} against N with log2(N).
// Writes summary.json, lossy.csv (one row per condition: the swarm's completion and throughput,
// the lookups' latency and success) and throughput/lookup-latency.{png,svg}.
Status write_lossy(const std::string& dir, const ScenarioInfo& scenario, const std::vector<LossyRun>& runs);

// Writes summary.json, churn.csv (per interval: nodes alive, arrived, left, completed, lookups
// and how many found the closest live node, download rate) and churn.{png,svg}.
Status write_churn(const std::string& dir, const ScenarioInfo& scenario, const sim::ChurnResult& r);

Status write_dht_scale(const std::string& dir, const ScenarioInfo& scenario, const std::vector<sim::DhtScaleResult>& runs);

}  // namespace agora::cli
