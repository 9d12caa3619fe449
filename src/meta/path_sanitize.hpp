// Making file paths from a torrent safe to create under a save folder. A .torrent is outside
// input: a path element may be "..", absolute, hold separators, NUL or control bytes, invalid
// UTF-8, or a name Windows reserves. Each element is rewritten so that the joined path can only
// name something inside the save folder (libtorrent sanitises instead of rejecting; so do we).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace agora::meta {

// One path element made safe: separators ('/' and '\\'), control bytes and bytes of invalid
// UTF-8 become '_'; "." and ".." and empty elements give nullopt (the element is
// dropped); Windows device names (CON, NUL, COM1, ...) get a '_' prefix; the result is cut to
// limits::path_element_bytes_max bytes at a character boundary, keeping a short extension.
std::optional<std::string> sanitize_path_element(std::string_view element);

// Joins the safe forms of `elements` with '/'. Dropped elements vanish; if nothing is left the
// result is "_" so a file never becomes its own parent folder.
std::string sanitize_path(const std::vector<std::string_view>& elements);

// Keeps the paths of a torrent's files unique: no two files on one path, and no file where
// another file needs a folder. A clashing path is renamed "name.N.ext" (as libtorrent does), up
// to limits::duplicate_name_attempts_max renames per torrent.
class UniquePaths {
public:
    // Returns the unique form of `path`, or nullopt when the rename budget is spent.
    std::optional<std::string> claim(std::string path);

private:
    bool clashes(const std::string& path) const;
    std::unordered_set<std::string> files_;
    std::unordered_set<std::string> folders_;
    int renames_ = 0;
};

}  // namespace agora::meta
