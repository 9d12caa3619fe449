#include "io/resume_db.hpp"

#include <sqlite3.h>

namespace agora::io {

namespace {
Error db_error(sqlite3* db, const std::string& what) {
    return make_error(Error::Kind::io, what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// A prepared statement that finalises itself.
struct Statement {
    sqlite3_stmt* stmt = nullptr;
    ~Statement() { sqlite3_finalize(stmt); }
};
}  // namespace

Result<NodeDb> NodeDb::open(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        Error e = db_error(db, path);
        sqlite3_close(db);
        return e;
    }
    NodeDb node(db);
    // WAL: readers never block the writer, and a crash leaves the last commit intact.
    // synchronous=NORMAL in WAL mode is durable against process crashes (kill -9), which is what
    // resume data needs; a power cut may lose the last commits, never corrupt the file.
    // A small page cache: the database is read at start-up and written in small records after.
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-256",
                            "CREATE TABLE IF NOT EXISTS resume (info_hash BLOB PRIMARY KEY, record BLOB NOT NULL)",
                            "CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
                            "CREATE TABLE IF NOT EXISTS torrents (key TEXT PRIMARY KEY, record BLOB NOT NULL)"}) {
        if (auto s = node.exec(sql); !s) return s.error();
    }
    return node;
}

NodeDb::~NodeDb() {
    if (db_) sqlite3_close(db_);
}

Status NodeDb::exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        Error e = make_error(Error::Kind::io, std::string("database: ") + (message ? message : "error"));
        sqlite3_free(message);
        return e;
    }
    return Ok{};
}

Status NodeDb::save_resume(BytesView info_hash, BytesView record) {
    return put("INSERT OR REPLACE INTO resume (info_hash, record) VALUES (?, ?)", info_hash, record);
}

Result<std::optional<Bytes>> NodeDb::load_resume(BytesView info_hash) {
    return load_blob("SELECT record FROM resume WHERE info_hash = ?", info_hash);
}

Status NodeDb::save_state(std::string_view name, BytesView value) {
    return put("INSERT OR REPLACE INTO state (name, value) VALUES (?, ?)", name, value);
}

Result<std::optional<Bytes>> NodeDb::load_state(std::string_view name) {
    return load_blob("SELECT value FROM state WHERE name = ?", name);
}

// The one blob a single-key SELECT finds, or nothing. Keys bind as blobs: SQLite compares a TEXT
// column with a BLOB parameter byte for byte only if the column holds blobs, so `state` keys are
// written as blobs too (save_state).
Result<std::optional<Bytes>> NodeDb::load_blob(const char* sql, BytesView key) {
    Statement s;
    if (sqlite3_prepare_v2(db_, sql, -1, &s.stmt, nullptr) != SQLITE_OK) return db_error(db_, "database");
    sqlite3_bind_blob(s.stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(s.stmt);
    if (rc == SQLITE_DONE) return std::optional<Bytes>();
    if (rc != SQLITE_ROW) return db_error(db_, "database");
    const auto* data = static_cast<const char*>(sqlite3_column_blob(s.stmt, 0));
    const int size = sqlite3_column_bytes(s.stmt, 0);
    return std::optional<Bytes>(Bytes(data ? data : "", static_cast<std::size_t>(size)));
}

Status NodeDb::erase_resume(BytesView info_hash) {
    return erase("DELETE FROM resume WHERE info_hash = ?", info_hash);
}

Status NodeDb::save_torrent(std::string_view key, BytesView record) {
    return put("INSERT OR REPLACE INTO torrents (key, record) VALUES (?, ?)", key, record);
}

Status NodeDb::erase_torrent(std::string_view key) {
    return erase("DELETE FROM torrents WHERE key = ?", key);
}

Result<std::vector<std::pair<std::string, Bytes>>> NodeDb::load_torrents() {
    Statement s;
    if (sqlite3_prepare_v2(db_, "SELECT key, record FROM torrents", -1, &s.stmt, nullptr) != SQLITE_OK)
        return db_error(db_, "database");
    std::vector<std::pair<std::string, Bytes>> out;
    int rc;
    while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
        auto column = [&](int i) {
            const auto* data = static_cast<const char*>(sqlite3_column_blob(s.stmt, i));
            return std::string(data ? data : "", static_cast<std::size_t>(sqlite3_column_bytes(s.stmt, i)));
        };
        out.emplace_back(column(0), column(1));
    }
    if (rc != SQLITE_DONE) return db_error(db_, "database");
    return out;
}

Status NodeDb::put(const char* sql, BytesView key, BytesView value) {
    Statement s;
    if (sqlite3_prepare_v2(db_, sql, -1, &s.stmt, nullptr) != SQLITE_OK) return db_error(db_, "database");
    sqlite3_bind_blob(s.stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(s.stmt, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(s.stmt) != SQLITE_DONE) return db_error(db_, "database");
    return Ok{};
}

Status NodeDb::erase(const char* sql, BytesView key) {
    Statement s;
    if (sqlite3_prepare_v2(db_, sql, -1, &s.stmt, nullptr) != SQLITE_OK) return db_error(db_, "database");
    sqlite3_bind_blob(s.stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(s.stmt) != SQLITE_DONE) return db_error(db_, "database");
    return Ok{};
}

}  // namespace agora::io
