#include "meta/path_sanitize.hpp"

#include <array>
#include <cstdint>

#include "core/limits.hpp"

namespace agora::meta {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if the bytes there are not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    const auto b0 = static_cast<std::uint8_t>(s[i]);
    if (b0 < 0x80) return 1;
    std::size_t n;
    std::uint32_t cp;
    if ((b0 & 0xe0) == 0xc0) { n = 2; cp = b0 & 0x1fu; }
    else if ((b0 & 0xf0) == 0xe0) { n = 3; cp = b0 & 0x0fu; }
    else if ((b0 & 0xf8) == 0xf0) { n = 4; cp = b0 & 0x07u; }
    else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<std::uint8_t>(s[i + k]);
        if ((b & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3fu);
    }
    static constexpr std::array<std::uint32_t, 5> min_for_length{0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

bool is_forbidden_ascii(char c) {
    const auto b = static_cast<std::uint8_t>(c);
    if (b < 0x20 || b == 0x7f) return true;
    // Separators of either kind. Characters only Windows forbids (: ? * ...) are kept, as on
    // every POSIX client: they are common in real names and harmless here.
    return c == '/' || c == '\\';
}

bool is_windows_device_name(std::string_view element) {
    // The part before the first dot, case-insensitively: "con", "nul.txt", "COM1.tar.gz".
    std::string stem;
    for (char c : element.substr(0, element.find('.')))
        stem.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    static constexpr std::array<std::string_view, 4> names{"con", "prn", "aux", "nul"};
    for (auto n : names)
        if (stem == n) return true;
    return stem.size() == 4 && (stem.starts_with("com") || stem.starts_with("lpt")) && stem[3] >= '1' &&
           stem[3] <= '9';
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence (s is valid UTF-8 here).
std::string cut_utf8(std::string_view s, std::size_t max) {
    if (s.size() <= max) return std::string(s);
    std::size_t end = max;
    while (end > 0 && (static_cast<std::uint8_t>(s[end]) & 0xc0) == 0x80) --end;
    return std::string(s.substr(0, end));
}

}  // namespace

std::optional<std::string> sanitize_path_element(std::string_view element) {
    std::string out;
    out.reserve(element.size());
    for (std::size_t i = 0; i < element.size();) {
        const std::size_t n = utf8_sequence_length(element, i);
        if (n == 0) {
            out.push_back('_');
            ++i;
        } else if (n == 1 && is_forbidden_ascii(element[i])) {
            out.push_back('_');
            ++i;
        } else {
            out.append(element.substr(i, n));
            i += n;
        }
    }
    if (out.empty() || out == "." || out == "..") return std::nullopt;
    if (is_windows_device_name(out)) out.insert(out.begin(), '_');

    const std::size_t max = limits::path_element_bytes_max;
    if (out.size() > max) {
        // Keep an extension of up to 16 bytes so the file still opens with the right program.
        const auto dot = out.rfind('.');
        const std::size_t ext_len = (dot != std::string::npos && dot > 0) ? out.size() - dot : 0;
        if (ext_len > 0 && ext_len <= 16)
            out = cut_utf8(out, max - ext_len) + out.substr(dot);
        else
            out = cut_utf8(out, max);
    }
    return out;
}

std::string sanitize_path(const std::vector<std::string_view>& elements) {
    std::string out;
    for (auto e : elements) {
        auto safe = sanitize_path_element(e);
        if (!safe) continue;
        if (!out.empty()) out.push_back('/');
        out += *safe;
    }
    return out.empty() ? std::string("_") : out;
}

bool UniquePaths::clashes(const std::string& path) const {
    if (files_.contains(path) || folders_.contains(path)) return true;
    // A folder this path needs must not already be a file.
    for (auto slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
        if (files_.contains(path.substr(0, slash))) return true;
    return false;
}

std::optional<std::string> UniquePaths::claim(std::string path) {
    if (clashes(path)) {
        // Rename the first element that clashes: the file itself, or the folder that is a file.
        std::size_t cut = path.size();
        for (auto slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
            if (files_.contains(path.substr(0, slash))) {
                cut = slash;
                break;
            }
        }
        const std::string head = path.substr(0, cut);
        const std::string tail = path.substr(cut);
        const auto last_slash = head.rfind('/');
        const auto dot = head.rfind('.');
        const bool has_ext = dot != std::string::npos && (last_slash == std::string::npos || dot > last_slash + 1);
        const std::string stem = has_ext ? head.substr(0, dot) : head;
        const std::string ext = has_ext ? head.substr(dot) : std::string();
        for (int n = 1;; ++n) {
            if (++renames_ > limits::duplicate_name_attempts_max) return std::nullopt;
            std::string candidate = stem + "." + std::to_string(n) + ext + tail;
            if (!clashes(candidate)) {
                path = std::move(candidate);
                break;
            }
        }
    }
    for (auto slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
        folders_.insert(path.substr(0, slash));
    files_.insert(path);
    return path;
}

}  // namespace agora::meta
