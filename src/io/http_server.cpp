#include "io/http_server.hpp"

#include <chrono>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "rpc/transmission.hpp"

namespace agora::io {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr std::size_t connections_max = 64;
constexpr std::uint32_t header_bytes_max = 16 * 1024;
constexpr auto request_timeout = std::chrono::seconds(30);
}  // namespace

class HttpServer::Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket socket, const Handler& handler, std::shared_ptr<std::size_t> open)
        : stream_(std::move(socket)), handler_(handler), open_(std::move(open)) {
        ++*open_;
    }
    ~Connection() { --*open_; }

    void read() {
        parser_.emplace();
        parser_->header_limit(header_bytes_max);
        parser_->body_limit(rpc::rpc_body_bytes_max);
        stream_.expires_after(request_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

private:
    void on_read(beast::error_code ec) {
        if (ec == http::error::body_limit || ec == http::error::header_limit) return reply_error(413, "Request too large.\n");
        if (ec) return close();
        auto& in = parser_->get();
        rpc::HttpRequest request;
        request.method = std::string(in.method_string());
        request.target = std::string(in.target());
        for (const auto& field : in) request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        request.body = std::move(in.body());
        keep_alive_ = in.keep_alive();
        send(handler_(request));
    }

    void reply_error(int status, std::string text) {
        keep_alive_ = false;
        send(rpc::HttpResponse::text(status, std::move(text)));
    }

    void send(rpc::HttpResponse r) {
        response_ = {};
        response_.result(static_cast<unsigned>(r.status));
        response_.version(11);
        response_.set(http::field::server, "agora");
        for (auto& [k, v] : r.headers) response_.set(k, v);
        response_.body() = std::move(r.body);
        response_.keep_alive(keep_alive_);
        response_.prepare_payload();
        stream_.expires_after(request_timeout);
        http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec || !self->keep_alive_) return self->close();
            self->read();
        });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    beast::tcp_stream stream_;
    const Handler& handler_;
    std::shared_ptr<std::size_t> open_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    bool keep_alive_ = false;
};

HttpServer::HttpServer(asio::io_context& ioc, Handler handler)
    : acceptor_(ioc), handler_(std::move(handler)), open_(std::make_shared<std::size_t>(0)) {}

HttpServer::~HttpServer() { close(); }

Status HttpServer::listen(const std::string& address, std::uint16_t port) {
    beast::error_code ec;
    const auto ip = asio::ip::make_address(address, ec);
    if (ec) return make_error(Error::Kind::bad_argument, "RPC address '" + address + "' is not an IP address");
    const tcp::endpoint at(ip, port);
    acceptor_.open(at.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(at, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        acceptor_.close(ec);
        return make_error(Error::Kind::io, "cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    accept_next();
    return Ok{};
}

void HttpServer::close() {
    beast::error_code ignored;
    acceptor_.close(ignored);
}

void HttpServer::accept_next() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        // Past the limit a new connection is closed at once; the ones being served go on.
        if (!ec && *open_ < connections_max) std::make_shared<Connection>(std::move(socket), handler_, open_)->read();
        accept_next();
    });
}

}  // namespace agora::io
