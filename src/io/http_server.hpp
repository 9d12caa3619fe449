// The HTTP listener of the remote control (DESIGN.md, io/: "the RPC listener"): Boost.Beast on the
// network thread's io_context, so a request is answered between two network events with no lock.
// It parses with limits (16 KiB of headers, rpc_body_bytes_max of body, 64 connections, 30 s to
// send a request) and hands each request to a handler that returns the response (rpc::Server).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/result.hpp"
#include "rpc/http.hpp"

namespace agora::io {

class HttpServer {
public:
    using Handler = std::function<rpc::HttpResponse(const rpc::HttpRequest&)>;

    HttpServer(boost::asio::io_context& ioc, Handler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds ADDRESS:PORT (0: any free port) and starts accepting.
    Status listen(const std::string& address, std::uint16_t port);
    std::uint16_t port() const { return port_; }
    // Stops accepting; open connections finish their current exchange and close.
    void close();

private:
    class Connection;
    void accept_next();

    boost::asio::ip::tcp::acceptor acceptor_;
    Handler handler_;
    std::uint16_t port_ = 0;
    std::shared_ptr<std::size_t> open_;  // connections alive, shared with them
};

}  // namespace agora::io
