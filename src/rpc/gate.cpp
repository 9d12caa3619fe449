#include "rpc/gate.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>

#include "core/base64.hpp"

namespace agora::rpc {

namespace {

bool is_ip_literal(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Compares without stopping at the first difference, so the time taken says nothing of the secret.
bool same_secret(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % std::max<std::size_t>(b.size(), 1)]);
    return diff == 0;
}

}  // namespace

std::string host_of(std::string_view h) {
    while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
    while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
    if (!h.empty() && h.front() == '[') {
        const auto close = h.find(']');
        return close == std::string_view::npos ? std::string() : lower(h.substr(1, close - 1));
    }
    const auto colon = h.find(':');
    if (colon != std::string_view::npos && h.find(':', colon + 1) == std::string_view::npos) h = h.substr(0, colon);
    return lower(h);
}

Gate::Gate(AccessConfig config, std::string session_id) : config_(std::move(config)), session_id_(std::move(session_id)) {}

bool Gate::host_allowed(std::string_view header) const {
    const std::string host = host_of(header);
    if (host.empty()) return false;
    if (host == "localhost" || host == "localhost." || is_ip_literal(host)) return true;
    for (const auto& allowed : config_.host_allow)
        if (allowed == "*" || lower(allowed) == host) return true;
    return false;
}

std::optional<HttpResponse> Gate::admit(const HttpRequest& request, bool needs_session_id) {
    if (!config_.username.empty() || !config_.password.empty()) {
        if (failed_logins_ >= config_.failed_logins_max)
            return HttpResponse::text(403, "Too many failed login attempts; restart the daemon to try again.\n");
        bool ok = false;
        if (auto auth = request.header("Authorization"); auth && auth->size() > 6 && lower(auth->substr(0, 6)) == "basic ") {
            if (auto decoded = base64::decode(auth->substr(6))) {
                const auto colon = decoded->find(':');
                ok = colon != std::string::npos && same_secret(decoded->substr(0, colon), config_.username) &&
                     same_secret(decoded->substr(colon + 1), config_.password);
            }
            if (!ok) ++failed_logins_;
        }
        if (!ok) {
            auto r = HttpResponse::text(401, "Unauthorized: this daemon needs a user name and password.\n");
            r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Transmission\"");
            return r;
        }
    }
    const auto host = request.header("Host");
    if (!host || !host_allowed(*host))
        return HttpResponse::text(
            421, "Misdirected request: this Host name is not allowed (add it to rpc.host-allow in the settings).\n");
    if (needs_session_id && request.header("X-Transmission-Session-Id") != std::optional<std::string_view>(session_id_)) {
        auto r = HttpResponse::text(409, "Conflict: send the header X-Transmission-Session-Id: " + session_id_ + "\n");
        r.headers.emplace_back("X-Transmission-Session-Id", session_id_);
        return r;
    }
    return std::nullopt;
}

}  // namespace agora::rpc
