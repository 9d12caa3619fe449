#include "rpc/server.hpp"

namespace agora::rpc {

Server::Server(Control& control, AccessConfig access, std::string session_id)
    : gate_(std::move(access), std::move(session_id)), transmission_(control) {}

HttpResponse Server::handle(const HttpRequest& request) {
    const auto path = request.path();
    // transmission-remote posts to /transmission/rpc/ (with the slash), web clients without it.
    if (path == "/transmission/rpc" || path == "/transmission/rpc/") {
        if (auto refused = gate_.admit(request, true)) return *refused;
        if (request.method != "POST") return HttpResponse::text(405, "Method not allowed: POST a JSON request.\n");
        auto r = HttpResponse::json(transmission_.handle(request.body));
        r.headers.emplace_back("X-Transmission-Session-Id", gate_.session_id());
        return r;
    }
    if (auto refused = gate_.admit(request, false)) return *refused;
    return HttpResponse::text(404, "Not found. The remote control is at /transmission/rpc.\n");
}

}  // namespace agora::rpc
