#include "io/dht_state.hpp"

namespace agora::io {

DhtState load_dht_state(NodeDb& db) {
    DhtState state;
    if (auto id = db.load_state("dht.id"); id && *id) state.id = dht::NodeId::from_bytes(**id);
    for (auto [name, family] : {std::pair{"dht.nodes", dht::Family::v4}, std::pair{"dht.nodes6", dht::Family::v6}}) {
        auto bytes = db.load_state(name);
        if (!bytes || !*bytes) continue;
        // parse_nodes caps what one reply may carry; a saved table is read in slices of that size.
        const std::size_t each = family == dht::Family::v4 ? 26 : 38;
        const std::size_t slice = each * 16;
        for (std::size_t at = 0; at + each <= (*bytes)->size(); at += slice)
            if (auto nodes = dht::parse_nodes(BytesView(**bytes).substr(at, std::min(slice, (*bytes)->size() - at) / each * each), family))
                state.nodes.insert(state.nodes.end(), nodes->begin(), nodes->end());
    }
    return state;
}

Status save_dht_state(NodeDb& db, const dht::Node& node) {
    std::vector<dht::NodeInfo> v4, v6;
    for (const auto& n : node.nodes_to_save()) (n.endpoint.family == dht::Family::v4 ? v4 : v6).push_back(n);
    if (auto s = db.save_state("dht.id", node.id().view()); !s) return s;
    if (auto s = db.save_state("dht.nodes", dht::encode_nodes(v4)); !s) return s;
    return db.save_state("dht.nodes6", dht::encode_nodes(v6));
}

const std::vector<std::string>& default_dht_routers() {
    static const std::vector<std::string> routers{"router.bittorrent.com:6881", "dht.transmissionbt.com:6881",
                                                  "router.utorrent.com:6881", "dht.libtorrent.org:25401"};
    return routers;
}

}  // namespace agora::io
