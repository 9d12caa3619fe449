// meta/torrent_info: v1, v2 and hybrid parsing, and a table of malformed .torrent files each
// rejected with its own error.
#include <gtest/gtest.h>

#include "core/bencode.hpp"
#include "core/hash.hpp"
#include "meta/torrent_info.hpp"

using namespace agora;
using bencode::Node;

namespace {

std::string pieces(int count) { return std::string(static_cast<std::size_t>(count) * 20, 'x'); }

Node v1_single(std::int64_t length = 40000, std::int64_t piece_length = 16384) {
    Node info;
    info["name"] = "file.bin";
    info["length"] = length;
    info["piece length"] = piece_length;
    info["pieces"] = pieces(static_cast<int>((length + piece_length - 1) / piece_length));
    Node root;
    root["info"] = info;
    root["announce"] = "http://t.example/announce";
    return root;
}

Node v1_multi() {
    Node info;
    info["name"] = "folder";
    info["piece length"] = 16384;
    Node::List files;
    for (auto [path, size] : {std::pair<const char*, int>{"a.txt", 10000}, {"b.txt", 30000}}) {
        Node f;
        f["length"] = size;
        f["path"] = Node::List{Node("sub"), Node(path)};
        files.push_back(f);
    }
    info["files"] = files;
    info["pieces"] = pieces(3);
    Node root;
    root["info"] = info;
    return root;
}

}  // namespace

TEST(TorrentInfo, V1SingleFile) {
    const Bytes bytes = bencode::encode(v1_single());
    auto t = meta::parse_torrent(bytes);
    ASSERT_TRUE(t.ok()) << t.error().describe();
    EXPECT_EQ(t->name, "file.bin");
    EXPECT_FALSE(t->multi_file);
    EXPECT_TRUE(t->has_v1());
    EXPECT_FALSE(t->has_v2());
    EXPECT_EQ(t->layout.total_size(), 40000);
    EXPECT_EQ(t->layout.piece_count(), 3u);
    EXPECT_EQ(t->layout.piece_size(PieceIndex(2)), 40000 - 2 * 16384);
    ASSERT_EQ(t->layout.file_count(), 1u);
    EXPECT_EQ(t->layout.files()[0].path, "file.bin");
    ASSERT_EQ(t->trackers.size(), 1u);
    EXPECT_EQ(t->trackers[0].url, "http://t.example/announce");
    // The info-hash is the SHA-1 of the exact info bytes.
    const auto doc = bencode::decode(bytes);
    EXPECT_EQ(t->info_hashes.v1->view(), sha1(doc->root().find("info").raw()).view());
}

TEST(TorrentInfo, V1MultiFileMapsPiecesAcrossFiles) {
    auto t = meta::parse_torrent(bencode::encode(v1_multi()));
    ASSERT_TRUE(t.ok()) << t.error().describe();
    EXPECT_TRUE(t->multi_file);
    ASSERT_EQ(t->layout.file_count(), 2u);
    EXPECT_EQ(t->layout.files()[0].path, "folder/sub/a.txt");
    EXPECT_EQ(t->layout.files()[1].offset, 10000);
    auto slices = t->layout.piece_slices(PieceIndex(0));
    ASSERT_EQ(slices.size(), 2u);
    EXPECT_EQ(slices[0].length, 10000);
    EXPECT_EQ(slices[1].file, FileIndex(1));
    EXPECT_EQ(slices[1].length, 16384 - 10000);
}

TEST(TorrentInfo, UnsortedV1KeysAreToleratedAndHashedAsGiven) {
    const std::string raw = "d4:infod6:pieces20:xxxxxxxxxxxxxxxxxxxx4:name1:a12:piece lengthi16384e6:lengthi5eee";
    auto t = meta::parse_torrent(raw);
    ASSERT_TRUE(t.ok()) << t.error().describe();
    const auto start = raw.find("d6:pieces");
    EXPECT_EQ(t->info_hashes.v1->view(), sha1(std::string_view(raw).substr(start, raw.size() - start - 1)).view());
}

TEST(TorrentInfo, TrackersTiersAndWebSeeds) {
    Node root = v1_single();
    root["announce-list"] = Node::List{Node::List{Node(" udp://a:1 "), Node("udp://b:2")}, Node::List{Node("udp://a:1")},
                                       Node::List{Node("http://c/ann")}, Node("not a tier")};
    root["url-list"] = Node::List{Node("http://w/"), Node(""), Node(std::int64_t{5}), Node("http://w/")};
    root["comment"] = "hello";
    root["creation date"] = 1234567;
    root["info"]["private"] = 1;
    auto t = meta::parse_torrent(bencode::encode(root));
    ASSERT_TRUE(t.ok());
    ASSERT_EQ(t->trackers.size(), 3u);
    EXPECT_EQ(t->trackers[0], (meta::Tracker{"udp://a:1", 0}));
    EXPECT_EQ(t->trackers[1], (meta::Tracker{"udp://b:2", 0}));
    EXPECT_EQ(t->trackers[2], (meta::Tracker{"http://c/ann", 1}));  // the duplicate tier vanished
    EXPECT_EQ(t->web_seeds, std::vector<std::string>{"http://w/"});
    EXPECT_EQ(t->comment, "hello");
    EXPECT_EQ(t->creation_date, 1234567);
    EXPECT_TRUE(t->is_private);
}

TEST(TorrentInfo, InfoDictAloneGivesTheSameHash) {
    const Bytes bytes = bencode::encode(v1_single());
    auto whole = meta::parse_torrent(bytes);
    ASSERT_TRUE(whole.ok());
    auto alone = meta::parse_info_dict(whole->info_bytes);
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ(alone->info_hashes, whole->info_hashes);
    EXPECT_TRUE(alone->trackers.empty());
}

struct BadTorrent {
    const char* what;
    std::function<void(Node&)> mutate;
    const char* message;
};

class TorrentInfoMalformed : public ::testing::TestWithParam<BadTorrent> {};

TEST_P(TorrentInfoMalformed, RejectedWithItsError) {
    Node root = v1_multi();
    GetParam().mutate(root);
    auto t = meta::parse_torrent(bencode::encode(root));
    ASSERT_FALSE(t.ok()) << GetParam().what;
    EXPECT_NE(t.error().message.find(GetParam().message), std::string::npos)
        << GetParam().what << ": " << t.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    All, TorrentInfoMalformed,
    ::testing::Values(
        BadTorrent{"no info", [](Node& r) { r.dict().erase("info"); }, "'info' dictionary"},
        BadTorrent{"info is a list", [](Node& r) { r["info"] = Node::List{}; }, "'info' dictionary"},
        BadTorrent{"no name", [](Node& r) { r["info"].dict().erase("name"); }, "'name'"},
        BadTorrent{"name with NUL", [](Node& r) { r["info"]["name"] = std::string("a\0b", 3); }, "NUL"},
        BadTorrent{"no piece length", [](Node& r) { r["info"].dict().erase("piece length"); }, "'piece length'"},
        BadTorrent{"zero piece length", [](Node& r) { r["info"]["piece length"] = 0; }, "'piece length' out of range"},
        BadTorrent{"huge piece length", [](Node& r) { r["info"]["piece length"] = std::int64_t{1} << 40; }, "out of range"},
        BadTorrent{"no pieces", [](Node& r) { r["info"].dict().erase("pieces"); }, "no 'pieces'"},
        BadTorrent{"pieces not multiple of 20", [](Node& r) { r["info"]["pieces"] = std::string(21, 'x'); }, "20-byte"},
        BadTorrent{"too few pieces", [](Node& r) { r["info"]["pieces"] = pieces(2); }, "hashes for 3 pieces"},
        BadTorrent{"files empty", [](Node& r) { r["info"]["files"] = Node::List{}; }, "'files' is empty"},
        BadTorrent{"files not a list", [](Node& r) { r["info"]["files"] = 5; }, "not a list"},
        BadTorrent{"entry without path", [](Node& r) { r["info"]["files"].list()[0].dict().erase("path"); }, "no 'path'"},
        BadTorrent{"path holds an int", [](Node& r) { r["info"]["files"].list()[0]["path"] = Node::List{Node(1)}; }, "other than strings"},
        BadTorrent{"negative length", [](Node& r) { r["info"]["files"].list()[0]["length"] = -5; }, "negative"},
        BadTorrent{"length is a string", [](Node& r) { r["info"]["files"].list()[0]["length"] = "5"; }, "not an integer"},
        BadTorrent{"all files empty", [](Node& r) {
            r["info"]["files"].list()[0]["length"] = 0;
            r["info"]["files"].list()[1]["length"] = 0;
            r["info"]["pieces"] = "";
        }, "total size 0"},
        BadTorrent{"too many pieces", [](Node& r) {
            r["info"]["files"].list()[0]["length"] = std::int64_t{1} << 40;
        }, "too many pieces"},
        BadTorrent{"size overflow", [](Node& r) {
            r["info"]["files"].list()[0]["length"] = INT64_MAX;
        }, "larger than the supported maximum"},
        BadTorrent{"meta version 3", [](Node& r) { r["info"]["meta version"] = 3; }, "unsupported 'meta version' 3"},
        BadTorrent{"v2 without file tree", [](Node& r) { r["info"]["meta version"] = 2; }, "no 'file tree'"},
        BadTorrent{"not a dict", [](Node& r) { r = Node("just a string"); }, "not a dictionary"}));

// ---- v2 and hybrid, built by hand so each rule can be broken on its own ----

namespace {
// A v2-only torrent of one 40000-byte file with 16 KiB pieces (3 pieces, so a piece layer).
struct V2Fixture {
    std::vector<Sha256> layer{sha256("p0"), sha256("p1"), sha256("p2")};
    Node root;
    V2Fixture() {
        Sha256 root_hash;
        {
            // The file root: the layer padded to 4 with the root of an all-zero 16 KiB-leaf piece.
            std::vector<Sha256> padded = layer;
            Sha256Hasher h;
            padded.push_back(Sha256{});  // one block per piece: the pad is a zero leaf
            h.update(padded[0].view()); h.update(padded[1].view()); Sha256 l = h.finish();
            h.update(padded[2].view()); h.update(padded[3].view()); Sha256 r = h.finish();
            h.update(l.view()); h.update(r.view()); root_hash = h.finish();
        }
        Node info;
        info["name"] = "f.bin";
        info["piece length"] = 16384;
        info["meta version"] = 2;
        info["file tree"]["f.bin"][""]["length"] = 40000;
        info["file tree"]["f.bin"][""]["pieces root"] = std::string(root_hash.view());
        root["info"] = info;
        std::string bytes;
        for (const auto& h : layer) bytes += h.view();
        root["piece layers"][root_hash.view()] = bytes;
    }
};
}  // namespace

TEST(TorrentInfo, V2WithPieceLayers) {
    V2Fixture f;
    auto t = meta::parse_torrent(bencode::encode(f.root));
    ASSERT_TRUE(t.ok()) << t.error().describe();
    EXPECT_FALSE(t->has_v1());
    EXPECT_TRUE(t->has_v2());
    EXPECT_FALSE(t->multi_file);
    EXPECT_EQ(t->layout.files()[0].path, "f.bin");
    // As libtorrent lays out v2: the file, then padding up to the piece boundary.
    ASSERT_EQ(t->layout.file_count(), 2u);
    EXPECT_TRUE(t->layout.files()[1].pad);
    EXPECT_EQ(t->layout.total_size(), 3 * 16384);
    ASSERT_EQ(t->piece_layers.size(), 2u);
    EXPECT_EQ(t->piece_layers[0], f.layer);
}

TEST(TorrentInfo, V2PieceLayerThatDoesNotHashToTheRootIsRejected) {
    V2Fixture f;
    auto& layers = f.root["piece layers"].dict();
    layers.begin()->second = std::string(96, 'z');
    auto t = meta::parse_torrent(bencode::encode(f.root));
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().message.find("does not hash"), std::string::npos) << t.error().message;
}

TEST(TorrentInfo, V2PieceLayerOfWrongLengthIsRejected) {
    V2Fixture f;
    f.root["piece layers"].dict().begin()->second = std::string(64, 'z');
    auto t = meta::parse_torrent(bencode::encode(f.root));
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().message.find("wrong length"), std::string::npos) << t.error().message;
}

TEST(TorrentInfo, V2WithoutPieceLayersIsAccepted) {
    V2Fixture f;
    f.root.dict().erase("piece layers");
    auto t = meta::parse_torrent(bencode::encode(f.root));
    ASSERT_TRUE(t.ok());
    EXPECT_TRUE(t->piece_layers[0].empty());
}

TEST(TorrentInfo, V2ZeroRootAndPowerOfTwoRules) {
    {
        V2Fixture f;
        f.root["info"]["file tree"]["f.bin"][""]["pieces root"] = std::string(32, '\0');
        auto t = meta::parse_torrent(bencode::encode(f.root));
        ASSERT_FALSE(t.ok());
        EXPECT_NE(t.error().message.find("all zeros"), std::string::npos);
    }
    {
        V2Fixture f;
        f.root["info"]["piece length"] = 16384 * 3;
        auto t = meta::parse_torrent(bencode::encode(f.root));
        ASSERT_FALSE(t.ok());
        EXPECT_NE(t.error().message.find("power of two"), std::string::npos);
    }
    {
        V2Fixture f;
        f.root["info"]["file tree"][""] = Node();
        auto t = meta::parse_torrent(bencode::encode(f.root));
        ASSERT_FALSE(t.ok());
        EXPECT_NE(t.error().message.find("empty name"), std::string::npos) << t.error().message;
    }
}

TEST(TorrentInfo, V2NonCanonicalInfoIsRejected) {
    V2Fixture f;
    Bytes bytes = bencode::encode(f.root);
    // Swap the order of two info keys by hand: "meta version" after "name".
    const std::string a = "12:meta versioni2e", b = "4:name5:f.bin";
    const auto pa = bytes.find(a), pb = bytes.find(b);
    ASSERT_NE(pa, std::string::npos);
    ASSERT_NE(pb, std::string::npos);
    ASSERT_EQ(pa + a.size(), pb);
    bytes.replace(pa, a.size() + b.size(), b + a);
    auto t = meta::parse_torrent(bytes);
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().message.find("not canonical"), std::string::npos) << t.error().message;
}
