// A small asynchronous HTTP/1.1 GET over Boost.Beast, for tracker announces and scrapes. One
// request per call; a deadline covers resolve, connect, write and read; the body is capped.
// https is not supported yet (an error says so).
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>

#include "core/result.hpp"

namespace agora::io {

using HttpCallback = std::function<void(Result<std::string> body)>;

void http_get(boost::asio::io_context& ioc, const std::string& url, std::chrono::seconds timeout,
              std::size_t body_bytes_max, HttpCallback done);

}  // namespace agora::io
