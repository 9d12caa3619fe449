#include "meta/torrent_info.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "core/bencode.hpp"
#include "core/hash.hpp"
#include "core/limits.hpp"
#include "core/merkle.hpp"
#include "meta/path_sanitize.hpp"

namespace agora::meta {

namespace {

using bencode::Value;

Error bad(std::string message, std::int64_t offset = -1) {
    return make_error(Error::Kind::bad_torrent, std::move(message), offset);
}

// A file as the .torrent lists it, before paths are made safe.
struct RawFile {
    std::vector<std::string_view> path;  // below the torrent's name
    std::int64_t size = 0;
    bool pad = false;
    bool executable = false;
    bool hidden = false;
    bool symlink = false;
    std::vector<std::string_view> symlink_path;
    std::optional<Sha256> root;
};

std::string_view trim(std::string_view s) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// A list of strings; any other item makes the whole list invalid (nullopt).
std::optional<std::vector<std::string_view>> string_list(Value list) {
    std::vector<std::string_view> out;
    for (const auto& c : list.children()) {
        if (!c.value.is_string()) return std::nullopt;
        out.push_back(c.value.as_string());
    }
    return out;
}

// A ".utf-8" variant of a key wins when present and well-typed (older clients wrote both).
Value find_preferring_utf8(Value dict, std::string_view key) {
    Value v = dict.find(std::string(key) + ".utf-8");
    return v.valid() ? v : dict.find(key);
}

void read_attr(Value entry, RawFile& f) {
    if (auto attr = entry.find_string("attr")) {
        f.pad = attr->find('p') != std::string_view::npos;
        f.executable = attr->find('x') != std::string_view::npos;
        f.hidden = attr->find('h') != std::string_view::npos;
        f.symlink = attr->find('l') != std::string_view::npos;
    }
}

Status read_symlink(Value entry, RawFile& f) {
    if (!f.symlink) return Ok{};
    Value target = entry.find("symlink path");
    auto elements = target.is_list() ? string_list(target) : std::nullopt;
    if (!elements) return bad("symlink without a valid 'symlink path'", entry.offset());
    f.symlink_path = std::move(*elements);
    return Ok{};
}

// BEP 3 'files' list, or the single-file 'length' form.
Result<std::vector<RawFile>> parse_v1_files(Value info, bool& multi_file) {
    std::vector<RawFile> files;
    Value list = info.find("files");
    if (list.valid()) {
        if (!list.is_list()) return bad("'files' is not a list", list.offset());
        multi_file = true;
        for (const auto& c : list.children()) {
            if (files.size() >= limits::file_count_max) return bad("too many files", c.value.offset());
            Value entry = c.value;
            if (!entry.is_dict()) return bad("a 'files' entry is not a dictionary", entry.offset());
            RawFile f;
            read_attr(entry, f);
            Value path = find_preferring_utf8(entry, "path");
            auto elements = path.is_list() ? string_list(path) : std::nullopt;
            if (path.is_list() && !elements) return bad("a file path holds something other than strings", path.offset());
            // Legacy pad files were named "_____padding_file_..." instead of having attr 'p'.
            if (elements && !elements->empty() && elements->back().starts_with("_____padding_file_")) f.pad = true;
            if (!elements && !f.pad) return bad("a file entry has no 'path'", entry.offset());
            if (elements) f.path = std::move(*elements);
            Value length = entry.find("length");
            if (length.valid() && !length.is_int()) return bad("a file 'length' is not an integer", length.offset());
            if (!length.valid() && !f.symlink) return bad("a file entry has no 'length'", entry.offset());
            f.size = length.valid() ? length.as_int() : 0;
            if (f.size < 0) return bad("negative file length", length.offset());
            if (auto s = read_symlink(entry, f); !s) return s.error();
            files.push_back(std::move(f));
        }
        if (files.empty()) return bad("'files' is empty", list.offset());
        return files;
    }
    Value length = info.find("length");
    if (!length.valid()) return bad("info dictionary has neither 'files' nor 'length'", info.offset());
    if (!length.is_int()) return bad("'length' is not an integer", length.offset());
    RawFile f;
    read_attr(info, f);
    f.size = length.as_int();
    if (f.size < 0) return bad("negative file length", length.offset());
    if (auto s = read_symlink(info, f); !s) return s.error();
    files.push_back(std::move(f));
    return files;
}

// BEP 52 'file tree': nested dictionaries; a key "" marks a file and holds its properties.
Status walk_file_tree(Value node, std::vector<std::string_view>& prefix, std::vector<RawFile>& out, int depth) {
    if (depth > limits::file_tree_depth_max) return bad("file tree nested too deeply", node.offset());
    if (!node.is_dict() || node.size() == 0) return bad("file tree entry is not a non-empty dictionary", node.offset());
    for (const auto& c : node.children()) {
        const auto key = c.key.as_string();
        if (key.empty()) return bad("file tree holds an empty name", c.key.offset());
        if (!c.value.is_dict()) return bad("file tree entry is not a dictionary", c.value.offset());
        prefix.push_back(key);
        Value leaf = c.value.find("");
        if (leaf.valid()) {
            if (c.value.size() != 1) return bad("file tree entry is both a file and a folder", c.value.offset());
            if (!leaf.is_dict()) return bad("file tree leaf is not a dictionary", leaf.offset());
            if (out.size() >= limits::file_count_max) return bad("too many files", leaf.offset());
            RawFile f;
            f.path = prefix;
            read_attr(leaf, f);
            if (auto s = read_symlink(leaf, f); !s) return s;
            Value length = leaf.find("length");
            if (length.valid() && !length.is_int()) return bad("file 'length' is not an integer", length.offset());
            if (!length.valid() && !f.symlink) return bad("file has no 'length'", leaf.offset());
            f.size = length.valid() ? length.as_int() : 0;
            if (f.size < 0) return bad("negative file length", length.offset());
            if (f.symlink && f.size != 0) return bad("symlink with a length", leaf.offset());
            Value root = leaf.find("pieces root");
            if (root.valid()) {
                if (!root.is_string() || root.as_string().size() != 32) return bad("'pieces root' is not 32 bytes", root.offset());
                f.root = Sha256::from_bytes(root.as_string());
                if (f.root->is_zero()) return bad("'pieces root' is all zeros", root.offset());
            }
            if (f.size > 0 && !f.symlink && !f.root) return bad("file with data has no 'pieces root'", leaf.offset());
            if (f.pad && f.root) return bad("pad file with a 'pieces root'", leaf.offset());
            out.push_back(std::move(f));
        } else {
            if (auto s = walk_file_tree(c.value, prefix, out, depth + 1); !s) return s;
        }
        prefix.pop_back();
    }
    return Ok{};
}

// A hybrid torrent describes its files twice; both descriptions must agree (else v1 and v2 peers
// would download different content under one torrent).
Status check_hybrid(const std::vector<RawFile>& v1, const std::vector<RawFile>& v2, bool multi_file,
                    std::int64_t piece_length) {
    std::size_t k = 0;
    std::int64_t offset = 0;
    for (const auto& f : v1) {
        const std::int64_t at = offset;
        offset += f.size;
        if (f.pad) continue;
        if (k >= v2.size()) return bad("hybrid torrent: v1 'files' has more files than v2 'file tree'");
        const auto& g = v2[k++];
        if (f.size != g.size || (multi_file && f.path != g.path))
            return bad("hybrid torrent: v1 'files' and v2 'file tree' disagree");
        if (f.size > 0 && at % piece_length != 0)
            return bad("hybrid torrent: a file does not start on a piece boundary (missing pad file)");
    }
    if (k != v2.size()) return bad("hybrid torrent: v2 'file tree' has more files than v1 'files'");
    return Ok{};
}

void read_trackers(Value root, TorrentInfo& t) {
    std::unordered_set<std::string_view> seen;
    auto add = [&](std::string_view url, std::uint32_t tier) {
        url = trim(url);
        if (url.empty() || url.size() > limits::url_bytes_max || t.trackers.size() >= limits::trackers_max) return false;
        if (!seen.insert(url).second) return false;
        t.trackers.push_back(Tracker{std::string(url), tier});
        return true;
    };
    std::uint32_t tier = 0;
    Value tiers = root.find_list("announce-list");
    for (const auto& c : tiers.valid() ? tiers.children() : std::vector<bencode::Child>{}) {
        if (!c.value.is_list()) continue;
        bool any = false;
        for (const auto& u : c.value.children())
            if (u.value.is_string() && add(u.value.as_string(), tier)) any = true;
        if (any) ++tier;  // a tier left empty (all duplicates) takes no number
    }
    if (t.trackers.empty())
        if (auto a = root.find_string("announce")) add(*a, 0);
}

std::vector<std::string> read_url_list(Value v) {
    std::vector<std::string> out;
    auto add = [&](std::string_view url) {
        url = trim(url);
        if (url.empty() || url.size() > limits::url_bytes_max || out.size() >= limits::trackers_max) return;
        if (std::find(out.begin(), out.end(), url) == out.end()) out.emplace_back(url);
    };
    if (v.is_string()) add(v.as_string());
    if (v.is_list())
        for (const auto& c : v.children())
            if (c.value.is_string()) add(c.value.as_string());
    return out;
}

void read_nodes(Value v, TorrentInfo& t) {
    if (!v.is_list()) return;
    for (const auto& c : v.children()) {
        if (!c.value.is_list() || c.value.size() != 2) continue;
        Value host = c.value.at(0), port = c.value.at(1);
        if (!host.is_string() || !port.is_int() || port.as_int() < 1 || port.as_int() > 65535) continue;
        if (t.nodes.size() >= limits::trackers_max) break;
        t.nodes.push_back(DhtNode{std::string(host.as_string()), static_cast<std::uint16_t>(port.as_int())});
    }
}

// Checks and stores the BEP 52 piece layers: each entry belongs to a file of more than one
// piece, has one hash per piece, and hashes up to that file's pieces root.
Status read_piece_layers(Value layers, TorrentInfo& t) {
    const auto& layout = t.layout;
    std::unordered_map<Sha256, std::uint32_t> by_root;
    for (std::uint32_t i = 0; i < layout.file_count(); ++i) {
        const auto& f = layout.files()[i];
        if (f.pieces_root && f.size > layout.piece_length()) by_root.emplace(*f.pieces_root, i);
    }
    t.piece_layers.assign(layout.file_count(), {});
    if (!layers.valid()) return Ok{};
    if (!layers.is_dict()) return bad("'piece layers' is not a dictionary", layers.offset());
    const auto blocks_per_piece = static_cast<std::size_t>(layout.piece_length() / limits::block_size_bytes);
    const Sha256 pad = merkle_pad(blocks_per_piece);
    for (const auto& c : layers.children()) {
        auto key = Sha256::from_bytes(c.key.as_string());
        auto it = key ? by_root.find(*key) : by_root.end();
        if (it == by_root.end()) return bad("'piece layers' entry for no file of more than one piece", c.key.offset());
        const FileIndex file(it->second);
        if (!c.value.is_string()) return bad("'piece layers' value is not a string", c.value.offset());
        const auto bytes = c.value.as_string();
        const std::size_t count = layout.file_piece_count(file);
        if (bytes.size() != count * 32) return bad("'piece layers' entry has the wrong length", c.value.offset());
        std::vector<Sha256> hashes(count);
        for (std::size_t i = 0; i < count; ++i) hashes[i] = *Sha256::from_bytes(bytes.substr(i * 32, 32));
        if (merkle_root(hashes, next_pow2(count), pad) != *key)
            return bad("'piece layers' entry does not hash to its file's pieces root", c.value.offset());
        t.piece_layers[file.value] = std::move(hashes);
    }
    return Ok{};
}

Result<TorrentInfo> parse_info(Value info, Value root) {
    if (!info.is_dict()) return bad("missing or invalid 'info' dictionary", info.valid() ? info.offset() : -1);
    TorrentInfo t;
    t.info_bytes = Bytes(info.raw());

    Value name_value = find_preferring_utf8(info, "name");
    if (!name_value.is_string()) return bad("info dictionary has no 'name' string", info.offset());
    // A NUL ends the name for every C-string API; libtorrent rejects such a name as missing.
    if (name_value.as_string().find('\0') != std::string_view::npos)
        return bad("'name' contains a NUL byte", name_value.offset());

    Value piece_length_value = info.find("piece length");
    if (!piece_length_value.is_int()) return bad("missing or invalid 'piece length'", info.offset());
    const std::int64_t piece_length = piece_length_value.as_int();
    if (piece_length <= 0 || piece_length > limits::piece_length_max)
        return bad("'piece length' out of range", piece_length_value.offset());

    // Which versions does it carry?
    Value version = info.find("meta version");
    bool v2 = false;
    if (version.valid()) {
        if (!version.is_int()) return bad("'meta version' is not an integer", version.offset());
        if (version.as_int() != 2) return bad("unsupported 'meta version' " + std::to_string(version.as_int()), version.offset());
        v2 = true;
    }
    Value pieces = info.find("pieces");
    const bool v1 = pieces.valid();
    if (!v1 && !v2) return bad("info dictionary has no 'pieces'", info.offset());
    if (v1 && (!pieces.is_string() || pieces.as_string().size() % 20 != 0))
        return bad("'pieces' is not a string of 20-byte hashes", pieces.offset());

    if (v2) {
        if (piece_length < limits::piece_length_min_v2 || (piece_length & (piece_length - 1)) != 0)
            return bad("v2 'piece length' must be a power of two of at least 16 KiB", piece_length_value.offset());
        // v2 hashes are defined over canonical bencode; a non-canonical info dict is ambiguous.
        if (auto at = bencode::first_non_canonical(info))
            return bad("v2 info dictionary is not canonical bencode (keys unsorted or repeated)", *at);
    }

    std::vector<RawFile> v1_files, v2_files;
    bool multi_file = false;
    if (v1) {
        auto r = parse_v1_files(info, multi_file);
        if (!r) return r.error();
        v1_files = std::move(*r);
    }
    if (v2) {
        Value tree = info.find("file tree");
        if (!tree.is_dict()) return bad("v2 info dictionary has no 'file tree'", info.offset());
        std::vector<std::string_view> prefix;
        if (auto s = walk_file_tree(tree, prefix, v2_files, 0); !s) return s.error();
        // One file at the top of the tree is the single-file form: its path is the torrent's name.
        // (BEP 52 does not mark the form; the key equal to the name is how it is told apart from
        // a folder holding one file.)
        const bool single = v2_files.size() == 1 && v2_files[0].path.size() == 1 &&
                            v2_files[0].path[0] == name_value.as_string();
        if (!v1) multi_file = !single;
        if (v1 && !multi_file && !single)
            return bad("hybrid torrent: v1 describes one file but v2 'file tree' does not (or names it differently)");
        if (single && !multi_file) v2_files[0].path.clear();
    }
    if (v1 && v2) {
        if (auto s = check_hybrid(v1_files, v2_files, multi_file, piece_length); !s) return s.error();
        std::size_t k = 0;  // v1's layout wins (it has the pad files); copy the v2 roots onto it
        for (auto& f : v1_files)
            if (!f.pad) f.root = v2_files[k++].root;
    }
    if (!v1) {
        // v2 alone: every file with data starts on a piece boundary, and (as libtorrent lays it
        // out) is followed by padding up to the next one, the last file included, so every piece
        // is full-length on the wire and the padding reads as zeros.
        for (auto& f : v2_files) {
            const std::int64_t gap = (piece_length - f.size % piece_length) % piece_length;
            const bool has_data = f.size > 0 && !f.symlink;
            v1_files.push_back(std::move(f));
            if (has_data && gap > 0) {
                RawFile pad;
                pad.pad = true;
                pad.size = gap;
                v1_files.push_back(pad);
            }
        }
    }

    // Sizes: guard every sum against overflow and the piece-count limit before using it.
    std::int64_t total = 0;
    for (const auto& f : v1_files) {
        if (f.size > limits::total_size_max - total) return bad("torrent is larger than the supported maximum");
        total += f.size;
    }
    if (total == 0) return bad("torrent holds no data (total size 0)");
    const std::int64_t piece_count = (total + piece_length - 1) / piece_length;
    if (piece_count > limits::piece_count_max)
        return bad("too many pieces (" + std::to_string(piece_count) + ")");
    if (v1 && static_cast<std::int64_t>(pieces.as_string().size() / 20) != piece_count)
        return bad("'pieces' holds " + std::to_string(pieces.as_string().size() / 20) + " hashes for " +
                       std::to_string(piece_count) + " pieces",
                   pieces.offset());

    if (v1) t.info_hashes.v1 = *InfoHashV1::from_bytes(sha1(info.raw()).view());
    if (v2) t.info_hashes.v2 = *InfoHashV2::from_bytes(sha256(info.raw()).view());

    // Names and paths, made safe and unique.
    auto safe_name = sanitize_path_element(name_value.as_string());
    t.name = safe_name ? *safe_name : (v1 ? t.info_hashes.v1->hex() : t.info_hashes.v2->hex());
    t.multi_file = multi_file;
    UniquePaths unique;
    std::vector<storage::FileEntry> entries;
    entries.reserve(v1_files.size());
    std::int64_t offset = 0;
    for (const auto& f : v1_files) {
        storage::FileEntry e;
        e.size = f.size;
        e.offset = offset;
        offset += f.size;
        e.pad = f.pad;
        e.executable = f.executable;
        e.hidden = f.hidden;
        e.pieces_root = f.root;
        if (f.pad) {
            e.path = ".pad/" + std::to_string(f.size);
        } else {
            std::string path = multi_file ? t.name + "/" + sanitize_path(f.path) : t.name;
            if (path.size() > limits::path_bytes_max) return bad("a file path is too long");
            auto claimed = unique.claim(std::move(path));
            if (!claimed) return bad("too many files with the same name");
            e.path = std::move(*claimed);
        }
        if (f.symlink) e.symlink = sanitize_path(f.symlink_path);
        entries.push_back(std::move(e));
    }
    t.layout = storage::Layout(piece_length, std::move(entries));
    if (v1) t.v1_piece_hashes = Bytes(pieces.as_string());

    if (v2) {
        if (auto s = read_piece_layers(root.valid() ? root.find("piece layers") : Value(), t); !s) return s.error();
    } else {
        t.piece_layers.assign(t.layout.file_count(), {});
    }

    if (root.valid()) {
        read_trackers(root, t);
        t.web_seeds = read_url_list(root.find("url-list"));
        t.http_seeds = read_url_list(root.find("httpseeds"));
        read_nodes(root.find("nodes"), t);
        if (auto c = find_preferring_utf8(root, "comment"); c.is_string()) t.comment = c.as_string();
        if (auto c = root.find_string("created by")) t.created_by = *c;
        t.creation_date = root.find_int("creation date");
    }
    t.is_private = info.find_int("private").value_or(0) == 1;
    return t;
}

}  // namespace

Sha1 TorrentInfo::v1_piece_hash(PieceIndex p) const {
    AGORA_ASSERT(has_v1() && p.value < layout.piece_count());
    return *Sha1::from_bytes(BytesView(v1_piece_hashes).substr(std::size_t{p.value} * 20, 20));
}

Result<TorrentInfo> parse_torrent(BytesView file_bytes) {
    if (file_bytes.size() > limits::torrent_file_bytes_max) return bad("the .torrent is larger than 64 MiB");
    // Bytes after the top-level dictionary (a newline, say) are ignored, as libtorrent does: the
    // info-hash covers only the info dictionary, so they cannot change what is downloaded.
    bencode::DecodeLimits decode_limits;
    decode_limits.allow_trailing = true;
    auto doc = bencode::decode(file_bytes, decode_limits);
    if (!doc) return doc.error();
    Value root = doc->root();
    if (!root.is_dict()) return bad("not a .torrent: the top level is not a dictionary", 0);
    return parse_info(root.find("info"), root);
}

Result<TorrentInfo> parse_info_dict(BytesView info_bytes) {
    if (info_bytes.size() > limits::torrent_file_bytes_max) return bad("info dictionary is larger than 64 MiB");
    auto doc = bencode::decode(info_bytes);
    if (!doc) return doc.error();
    return parse_info(doc->root(), Value());
}

}  // namespace agora::meta
