// What the DHT node keeps across restarts (DESIGN.md, "Data that must last"): its id and the
// confirmed nodes of its routing tables, in the node database, so a restart rejoins without the
// bootstrap list.
#pragma once

#include <optional>
#include <vector>

#include "dht/node.hpp"
#include "io/resume_db.hpp"

namespace agora::io {

struct DhtState {
    std::optional<dht::NodeId> id;
    std::vector<dht::NodeInfo> nodes;
};

// An unreadable or corrupt record reads as nothing saved (the node starts fresh).
DhtState load_dht_state(NodeDb& db);
Status save_dht_state(NodeDb& db, const dht::Node& node);

// The routers a node with an empty table starts from (BEP 5's well-known ones).
const std::vector<std::string>& default_dht_routers();

}  // namespace agora::io
