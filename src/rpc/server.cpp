#include "rpc/server.hpp"

#include "rpc/metrics.hpp"
#include "rpc/web_page.hpp"

namespace agora::rpc {

Server::Server(Control& control, AccessConfig access, std::string session_id)
    : control_(control), gate_(std::move(access), std::move(session_id)), transmission_(control) {}

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
    if (path == "/" || path == "/index.html") {
        if (request.method != "GET" && request.method != "HEAD") return HttpResponse::text(405, "Method not allowed.\n");
        HttpResponse r{200, {{"Content-Type", "text/html; charset=utf-8"}}, std::string(web_page())};
        // The page's script and styles are inline; nothing else may load, and no other site may frame it.
        r.headers.emplace_back("Content-Security-Policy",
                               "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                               "connect-src 'self'; frame-ancestors 'none'");
        r.headers.emplace_back("X-Frame-Options", "DENY");
        r.headers.emplace_back("Cache-Control", "no-cache");
        return r;
    }
    if (path == "/metrics") {
        if (request.method != "GET") return HttpResponse::text(405, "Method not allowed: GET /metrics.\n");
        auto r = HttpResponse::text(200, prometheus_text(control_.torrents(false), control_.stats(), control_.node_metrics()));
        r.headers = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}};
        return r;
    }
    return HttpResponse::text(404, "Not found. The remote control is at /transmission/rpc.\n");
}

}  // namespace agora::rpc
