// The node's database (SQLite, WAL mode): one file that holds resume records now, and the DHT
// node cache, peer cache and trust ledger later (DESIGN.md, "Data that must last"). A write is
// committed before save() returns, so a kill -9 loses at most the record being written.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

struct sqlite3;

namespace agora::io {

class NodeDb {
public:
    static Result<NodeDb> open(const std::string& path);
    NodeDb(NodeDb&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
    NodeDb& operator=(NodeDb&&) = delete;
    NodeDb(const NodeDb&) = delete;
    ~NodeDb();

    // Resume records keyed by info-hash bytes (v1, or v2 for v2-only torrents).
    Status save_resume(BytesView info_hash, BytesView record);
    Result<std::optional<Bytes>> load_resume(BytesView info_hash);
    Status erase_resume(BytesView info_hash);

    // The daemon's torrents: one record per torrent (its metainfo or magnet link, folder, state),
    // keyed by its info-hash in hex.
    Status save_torrent(std::string_view key, BytesView record);
    Status erase_torrent(std::string_view key);
    Result<std::vector<std::pair<std::string, Bytes>>> load_torrents();

    // Small named values of the node itself (its DHT id and routing table, ...).
    Status save_state(std::string_view name, BytesView value);
    Result<std::optional<Bytes>> load_state(std::string_view name);

private:
    explicit NodeDb(sqlite3* db) : db_(db) {}
    Status exec(const char* sql);
    Result<std::optional<Bytes>> load_blob(const char* sql, BytesView key);
    Status put(const char* sql, BytesView key, BytesView value);  // keys and values bind as blobs
    Status erase(const char* sql, BytesView key);
    sqlite3* db_;
};

}  // namespace agora::io
