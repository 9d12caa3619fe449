#include "rpc/http.hpp"

#include <algorithm>
#include <cctype>

namespace agora::rpc {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return std::string_view(v);
    return std::nullopt;
}

std::string_view HttpRequest::path() const {
    std::string_view t = target;
    return t.substr(0, t.find('?'));
}

HttpResponse HttpResponse::text(int status, std::string body) {
    return HttpResponse{status, {{"Content-Type", "text/plain; charset=UTF-8"}}, std::move(body)};
}

HttpResponse HttpResponse::json(std::string body) {
    return HttpResponse{200, {{"Content-Type", "application/json; charset=UTF-8"}}, std::move(body)};
}

}  // namespace agora::rpc
