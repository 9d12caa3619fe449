// An HTTP request as the listener in io/ hands it over, and the response it sends back: plain
// values, so rpc/ is tested and fuzzed without sockets.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agora::rpc {

struct HttpRequest {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query, as sent
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // The first header of this name (case-insensitive), if any.
    std::optional<std::string_view> header(std::string_view name) const;
    // The target without its query.
    std::string_view path() const;
};

struct HttpResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    static HttpResponse text(int status, std::string body);
    static HttpResponse json(std::string body);
};

}  // namespace agora::rpc
