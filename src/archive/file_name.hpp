// Names in the classic archive: article files `<N>_<title>.md` / `<N>.md`,
// their numbers, and site folders. The rules are written down in
// docs/archive-format.md ("File names"); in short:
//   - N = 0xFFFFF XOR seq, where seq counts a site's articles: each site
//     numbers on its own, its first article is 1048574 and each new one
//     takes the site's smallest number minus one (the old script's rule);
//   - the title part never holds a path separator, a character Windows or
//     macOS refuses in a file name, or a control character: each is replaced
//     by a full-width look-alike (`/` -> `／`, `:` -> `：` ...);
//   - the whole name is at most kMaxFileNameBytes bytes, cut on a code point.
// Because every article name starts with the digits of N, no title can make
// a name that is `.`, `..`, hidden, or a Windows device name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace newsmirror::archive {

// Most file systems allow 255 bytes per name; 200 leaves room for the temp
// file prefix the atomic writer adds (`.<name>.tmp-<pid>-<n>`).
inline constexpr std::size_t kMaxFileNameBytes = 200;

// 0xFFFFF ^ seq. Below 0x100000 newer articles get smaller numbers (the old
// mirrors' sort trick); past it XOR only flips the low 20 bits, so the map
// stays a bijection and numbering goes on without collisions: after N = 0
// (seq 0xFFFFF) a site continues at 2097151 and counts down again.
std::uint64_t article_number(std::uint64_t seq);
// The inverse (XOR is its own): a site's order key for a file numbered N.
// Newer articles have larger sequences, also across the wrap at N = 0.
std::uint64_t sequence_of_number(std::uint64_t number);

// The WordPress post id in a feed item's GUID (`https://host/?p=391133`,
// also `&p=`), which 中国数字时代's mirror numbered by: N = 0xFFFFF ^ id,
// so the sequence is the id itself. nullopt when the GUID carries none,
// or an id of 0 or of 0x100000 and more (no number of the old form).
std::optional<std::uint64_t> guid_post_id(std::string_view guid);

// `<N>_<title>.md`, or `<N>.md` without a title or when the cleaned title is
// empty. See the header comment for the cleaning rules.
std::string article_file_name(std::uint64_t number, std::optional<std::string_view> title);

// The N of `<N>.md` / `<N>_<anything>.md` (also a bare `<N>` or `<N>_...`
// without `.md`, as lists sometimes link them); nullopt when the name does
// not start with decimal digits followed by `_`, `.md` or its end.
std::optional<std::uint64_t> parse_article_number(std::string_view file_name);

// The title text as it appears in a file name: replacements applied, ASCII
// white space trimmed, cut so that `<N>_` + result + `.md` fits. Exposed for
// tests and for the importer's comparisons.
std::string file_name_title(std::uint64_t number, std::string_view title);

// A site's folder name (`articles/<site>`, `lists/<site>.md`): the same
// replacements as titles, plus what only matters for a bare name — a leading
// `.` becomes `．`, trailing dots and spaces are replaced, Windows device
// names (CON, NUL, COM1 ...) get a `_` appended, and an empty name is `_`.
std::string site_dir_name(std::string_view site);

}  // namespace newsmirror::archive
