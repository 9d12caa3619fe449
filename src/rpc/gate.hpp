// Who may use the remote control, checked before anything else runs (shared/research/ecosystem.md
// §2.2-2.4, which follows transmission-daemon): HTTP Basic credentials (401 with a challenge, 403
// after too many wrong ones), a Host header allow-list against DNS rebinding (421), and the
// X-Transmission-Session-Id token against cross-site requests (409 carrying the token).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rpc/http.hpp"

namespace agora::rpc {

struct AccessConfig {
    std::string username;  // both empty: no authentication
    std::string password;
    // Host names allowed besides IP literals and "localhost" (always allowed); "*" allows any.
    std::vector<std::string> host_allow;
    std::uint32_t failed_logins_max = 100;
};

class Gate {
public:
    // `session_id`: the anti-CSRF token, random per daemon run.
    Gate(AccessConfig config, std::string session_id);

    // nullopt when the request may go on; otherwise the answer to send. The session id is
    // checked only when `needs_session_id` (RPC calls; not the page or /metrics).
    std::optional<HttpResponse> admit(const HttpRequest& request, bool needs_session_id);

    const std::string& session_id() const { return session_id_; }

private:
    bool host_allowed(std::string_view host) const;

    AccessConfig config_;
    std::string session_id_;
    std::uint32_t failed_logins_ = 0;
};

// "host" of a Host header value ("host", "host:port", "[v6]:port").
std::string host_of(std::string_view host_header);

}  // namespace agora::rpc
