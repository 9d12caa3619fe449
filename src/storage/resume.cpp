#include "storage/resume.hpp"

#include "core/bencode.hpp"

namespace agora::storage {

namespace {
Error bad(std::string message) { return make_error(Error::Kind::bad_argument, "resume record: " + std::move(message)); }
}  // namespace

Bytes encode_resume(const ResumeRecord& record) {
    bencode::Node root;
    root["pieces"] = std::int64_t{record.verified.size()};
    root["verified"] = std::string(record.verified.bytes());
    bencode::Node::List files;
    for (const auto& f : record.files) files.emplace_back(bencode::Node::List{f.size, f.mtime_ns});
    root["files"] = std::move(files);
    return bencode::encode(root);
}

Result<ResumeRecord> decode_resume(BytesView bytes, std::uint32_t piece_count, std::uint32_t file_count) {
    auto doc = bencode::decode(bytes);
    if (!doc) return bad(doc.error().describe());
    auto root = doc->root();
    if (!root.is_dict()) return bad("not a dictionary");
    if (root.find_int("pieces") != std::int64_t{piece_count}) return bad("piece count differs");
    auto verified = root.find_string("verified");
    if (!verified) return bad("no 'verified' bitfield");
    auto bits = Bitfield::from_bytes(*verified, piece_count);
    if (!bits) return bad("'verified' bitfield has the wrong size");
    auto files = root.find_list("files");
    if (!files.valid() || files.size() != file_count) return bad("file count differs");
    ResumeRecord r{std::move(*bits), {}};
    for (const auto& c : files.children()) {
        if (!c.value.is_list() || c.value.size() != 2 || !c.value.at(0).is_int() || !c.value.at(1).is_int())
            return bad("bad file stamp");
        r.files.push_back(FileStamp{c.value.at(0).as_int(), c.value.at(1).as_int()});
    }
    return r;
}

}  // namespace agora::storage
