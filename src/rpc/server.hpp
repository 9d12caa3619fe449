// The remote control's front door: routes an HTTP request to the Transmission RPC, the web page
// or /metrics (all behind the Gate), and answers everything else with 404. The listener in io/ calls handle() on the network
// thread, one request at a time.
#pragma once

#include <string>

#include "rpc/control.hpp"
#include "rpc/gate.hpp"
#include "rpc/http.hpp"
#include "rpc/transmission.hpp"

namespace agora::rpc {

class Server {
public:
    Server(Control& control, AccessConfig access, std::string session_id);

    HttpResponse handle(const HttpRequest& request);

private:
    Control& control_;
    Gate gate_;
    Transmission transmission_;
};

}  // namespace agora::rpc
