// The web page at / (rpc/web/index.html, compiled in): torrents with progress, rates, peers,
// ratio and ETA; add by magnet or .torrent upload; pause, resume, remove; files, peers and trackers;
// a chart of the rates. It speaks the same Transmission RPC as any other client.
#pragma once

#include <string_view>

namespace agora::rpc {

std::string_view web_page();

}  // namespace agora::rpc
