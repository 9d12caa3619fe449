#include "io/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>

#include "tracker/http.hpp"

namespace agora::io {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

// The caller names the tracker; the message says only what went wrong (the full URL with its
// query would bury that).
Error fail(const std::string&, const std::string& what) { return make_error(Error::Kind::io, what); }

// Owns everything one request needs; kept alive by the handlers that hold a shared_ptr to it.
struct Request : std::enable_shared_from_this<Request> {
    Request(boost::asio::io_context& ioc, std::string u, std::size_t cap, HttpCallback cb)
        : resolver(ioc), stream(ioc), url(std::move(u)), done(std::move(cb)) {
        parser.body_limit(cap);
    }
    tcp::resolver resolver;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::empty_body> request;
    http::response_parser<http::string_body> parser;
    std::string url;
    HttpCallback done;
    std::chrono::seconds timeout{15};

    void finish(Result<std::string> r) {
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        if (done) {
            auto cb = std::move(done);
            done = nullptr;
            cb(std::move(r));
        }
    }
};

}  // namespace

void http_get(boost::asio::io_context& ioc, const std::string& url, std::chrono::seconds timeout,
              std::size_t body_bytes_max, HttpCallback done) {
    auto parsed = tracker::parse_tracker_url(url);
    if (!parsed) return done(parsed.error());
    if (parsed->scheme != "http") return done(fail(url, "only http:// trackers are supported for now"));
    auto r = std::make_shared<Request>(ioc, url, body_bytes_max, std::move(done));
    r->timeout = timeout;
    r->request.method(http::verb::get);
    r->request.target(parsed->target.empty() ? "/" : parsed->target);
    r->request.version(11);
    const bool default_port = parsed->port == 80;
    const std::string host = parsed->host.find(':') != std::string::npos ? "[" + parsed->host + "]" : parsed->host;
    r->request.set(http::field::host, default_port ? host : host + ":" + std::to_string(parsed->port));
    r->request.set(http::field::user_agent, "agora/0.1.0");
    r->request.set(http::field::accept_encoding, "identity");
    r->request.set(http::field::connection, "close");

    r->stream.expires_after(timeout);
    r->resolver.async_resolve(
        parsed->host, std::to_string(parsed->port),
        [r](beast::error_code ec, tcp::resolver::results_type results) {
            if (ec) return r->finish(fail(r->url, "cannot resolve host: " + ec.message()));
            r->stream.async_connect(results, [r](beast::error_code ec2, const tcp::endpoint&) {
                if (ec2) return r->finish(fail(r->url, "cannot connect: " + ec2.message()));
                http::async_write(r->stream, r->request, [r](beast::error_code ec3, std::size_t) {
                    if (ec3) return r->finish(fail(r->url, "cannot send request: " + ec3.message()));
                    http::async_read(r->stream, r->buffer, r->parser, [r](beast::error_code ec4, std::size_t) {
                        if (ec4 == beast::error::timeout) return r->finish(fail(r->url, "timed out"));
                        if (ec4) return r->finish(fail(r->url, "bad reply: " + ec4.message()));
                        const auto status = r->parser.get().result_int();
                        if (status != 200)
                            return r->finish(fail(r->url, "HTTP status " + std::to_string(status)));
                        r->finish(std::move(r->parser.get().body()));
                    });
                });
            });
        });
}

}  // namespace agora::io
