// /metrics: the node in Prometheus' text exposition format (version 0.0.4): transfer totals and
// rates, torrents by state, peers, DHT nodes, the disk queue, hash failures, and per-torrent series
// labelled by info-hash and name.
#pragma once

#include <string>
#include <vector>

#include "rpc/control.hpp"

namespace agora::rpc {

std::string prometheus_text(const std::vector<TorrentView>& torrents, const SessionStats& stats,
                            const NodeMetrics& node);

// A label value with backslash, double quote and newline escaped, as the format requires.
std::string escape_label(std::string_view value);

}  // namespace agora::rpc
