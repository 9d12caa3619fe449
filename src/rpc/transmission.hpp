// The Transmission RPC (legacy envelope, RPC version 17 — what transmission-remote 3.00 and 4.0
// and the web clients written for transmission-daemon send; shared/research/ecosystem.md §2):
// one JSON request body in, one JSON reply body out, over a Control. Bad JSON, unknown methods and
// arguments of the wrong type get {"result": "<why>"}, never an exception or a crash.
#pragma once

#include <string>
#include <string_view>

#include "rpc/control.hpp"

namespace agora::rpc {

inline constexpr std::size_t rpc_body_bytes_max = 64u << 20;  // a .torrent of ~48 MiB, base64'd
inline constexpr int rpc_json_depth_max = 16;
inline constexpr int rpc_version = 17;

class Transmission {
public:
    explicit Transmission(Control& control) : control_(control) {}

    std::string handle(std::string_view body);

private:
    Control& control_;
};

}  // namespace agora::rpc
