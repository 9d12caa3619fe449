#include "meta/create.hpp"

#include <algorithm>
#include <array>

#include "core/bencode.hpp"
#include "core/limits.hpp"
#include "core/merkle.hpp"
#include "meta/path_sanitize.hpp"

namespace agora::meta {

namespace {
Error bad(std::string message) { return make_error(Error::Kind::bad_argument, std::move(message)); }
}  // namespace

std::int64_t auto_piece_length(std::int64_t total_size) {
    // Thresholds from libtorrent's create_torrent (the size at which each piece length gives a
    // piece list of about 2*sqrt(total) bytes).
    static constexpr std::array<std::int64_t, 10> thresholds{
        2684355LL,     10737418LL,     42949673LL,      171798692LL,     687194767LL,
        2748779069LL,  10995116278LL,  43980465111LL,   175921860444LL,  703687441777LL};
    int i = 0;
    for (auto t : thresholds) {
        if (t >= total_size) break;
        ++i;
    }
    return std::int64_t{limits::block_size_bytes} << i;
}

Result<CreatePlan> plan_creation(std::string name, std::vector<InputFile> files, const CreateOptions& options) {
    auto safe_name = sanitize_path_element(name);
    if (!safe_name || *safe_name != name) return bad("the name '" + name + "' cannot be used as a torrent name");
    if (files.empty()) return bad("no files to put in the torrent");
    if (files.size() > limits::file_count_max) return bad("too many files");

    std::int64_t total = 0;
    for (const auto& f : files) {
        if (f.size < 0 || f.size > limits::total_size_max - total) return bad("the files are too large");
        total += f.size;
        for (const auto& e : f.path) {
            // A name another client would rewrite is refused, so what is shared is what is on disk.
            // (Windows device names are the exception: only a Windows client renames "aux.c".)
            const auto safe = sanitize_path_element(e);
            if (safe != e && safe != "_" + e)
                return bad("the file name '" + e + "' cannot be shared (control characters, invalid UTF-8 or too long)");
        }
    }
    if (total == 0) return bad("nothing to hash: every file is empty");

    CreatePlan plan;
    plan.name = std::move(name);
    plan.version = options.version;
    plan.multi_file = files.size() > 1 || !files[0].path.empty();
    const std::int64_t piece_length = options.piece_length > 0 ? options.piece_length : auto_piece_length(total);
    const bool v2 = options.version != TorrentVersion::v1_only;
    if (v2 && (piece_length < limits::piece_length_min_v2 || (piece_length & (piece_length - 1)) != 0))
        return bad("the piece size must be a power of two of at least 16 KiB for a v2 or hybrid torrent");
    if (!v2 && (piece_length % limits::block_size_bytes != 0))
        return bad("the piece size must be a multiple of 16 KiB");
    if (piece_length > limits::piece_length_max) return bad("the piece size is larger than 1 GiB");

    // Path order is element by element, which is also the order of a v2 file tree.
    std::sort(files.begin(), files.end(), [](const InputFile& a, const InputFile& b) { return a.path < b.path; });

    std::vector<storage::FileEntry> entries;
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
        auto& f = files[i];
        storage::FileEntry e;
        e.path = plan.name;
        for (const auto& el : f.path) e.path += "/" + el;
        e.size = f.size;
        e.offset = offset;
        e.executable = f.executable;
        offset += f.size;
        entries.push_back(std::move(e));
        plan.file_paths.push_back(std::move(f.path));
        plan.sources.push_back(std::move(f.source));
        // BEP 47: in a hybrid torrent every file with data starts on a piece boundary, so a pad
        // file follows each unaligned one, the last one included (as libtorrent writes them).
        // A v2-only torrent lists no pad files, but its pieces still start at each file and end
        // padded, so the layout gets the same gaps (never written into the .torrent).
        const std::int64_t gap = (piece_length - offset % piece_length) % piece_length;
        const bool hybrid_pad = options.version == TorrentVersion::hybrid && plan.multi_file;
        const bool v2_pad = options.version == TorrentVersion::v2_only;
        if (gap > 0 && f.size > 0 && (hybrid_pad || v2_pad)) {
            storage::FileEntry pad;
            pad.path = ".pad/" + std::to_string(gap);
            pad.size = gap;
            pad.offset = offset;
            pad.pad = true;
            offset += gap;
            entries.push_back(std::move(pad));
            plan.file_paths.push_back({".pad", std::to_string(gap)});
            plan.sources.emplace_back();
        }
    }
    if ((offset + piece_length - 1) / piece_length > limits::piece_count_max)
        return bad("too many pieces: choose a larger --piece-size");
    plan.layout = storage::Layout(piece_length, std::move(entries));
    return plan;
}

Sha256 file_root(const std::vector<Sha256>& piece_hashes, std::int64_t piece_length) {
    AGORA_ASSERT(!piece_hashes.empty());
    if (piece_hashes.size() == 1) return piece_hashes[0];
    const auto blocks_per_piece = static_cast<std::size_t>(piece_length / limits::block_size_bytes);
    return merkle_root(piece_hashes, next_pow2(piece_hashes.size()), merkle_pad(blocks_per_piece));
}

Bytes build_torrent(const CreatePlan& plan, const CreateHashes& hashes, const CreateOptions& options) {
    using bencode::Node;
    const auto& layout = plan.layout;
    const bool v1 = plan.version != TorrentVersion::v2_only;
    const bool v2 = plan.version != TorrentVersion::v1_only;

    Node root;
    Node& info = root["info"];
    info["name"] = plan.name;
    info["piece length"] = layout.piece_length();
    if (options.is_private) info["private"] = 1;

    if (v1) {
        AGORA_ASSERT(hashes.v1_pieces.size() == std::size_t{layout.piece_count()} * 20);
        info["pieces"] = hashes.v1_pieces;
        if (!plan.multi_file) {
            info["length"] = layout.files()[0].size;
            if (layout.files()[0].executable) info["attr"] = "x";
        } else {
            Node::List list;
            for (std::uint32_t i = 0; i < layout.file_count(); ++i) {
                const auto& f = layout.files()[i];
                if (f.pad && plan.version != TorrentVersion::hybrid) continue;
                Node entry;
                entry["length"] = f.size;
                Node::List path;
                for (const auto& el : plan.file_paths[i]) path.emplace_back(el);
                entry["path"] = std::move(path);
                if (f.pad) entry["attr"] = "p";
                else if (f.executable) entry["attr"] = "x";
                list.push_back(std::move(entry));
            }
            info["files"] = std::move(list);
        }
    }
    if (v2) {
        info["meta version"] = 2;
        Node& tree = info["file tree"];
        Node& layers = root["piece layers"];
        for (std::uint32_t i = 0; i < layout.file_count(); ++i) {
            const auto& f = layout.files()[i];
            if (f.pad) continue;
            Node* node = &tree;
            if (!plan.multi_file) node = &(*node)[plan.name];
            for (const auto& el : plan.file_paths[i]) node = &(*node)[el];
            Node& leaf = (*node)[""];
            leaf["length"] = f.size;
            if (f.executable) leaf["attr"] = "x";
            if (f.size == 0) continue;
            const auto& piece_hashes = hashes.v2_piece_hashes[i];
            const Sha256 root_hash = file_root(piece_hashes, layout.piece_length());
            leaf["pieces root"] = std::string(root_hash.view());
            if (piece_hashes.size() > 1) {
                std::string layer;
                for (const auto& h : piece_hashes) layer += h.view();
                layers[root_hash.view()] = std::move(layer);
            }
        }
        if (layers.dict().empty()) root.dict().erase("piece layers");
    }

    if (!options.trackers.empty()) {
        root["announce"] = options.trackers.front();
        if (options.trackers.size() > 1) {
            Node::List tiers;
            for (const auto& t : options.trackers) tiers.emplace_back(Node::List{Node(t)});
            root["announce-list"] = std::move(tiers);
        }
    }
    if (!options.web_seeds.empty()) {
        Node::List seeds;
        for (const auto& w : options.web_seeds) seeds.emplace_back(w);
        root["url-list"] = std::move(seeds);
    }
    if (!options.comment.empty()) root["comment"] = options.comment;
    if (!options.created_by.empty()) root["created by"] = options.created_by;
    if (options.creation_date) root["creation date"] = *options.creation_date;
    return bencode::encode(root);
}

}  // namespace agora::meta
