// The image URLs of an article (img src and srcset, picture source srcset)
// and their replacement by local copies: the tree-level half of keeping an
// article's pictures inside the mirror (the fetching and storing half is
// mirror/image_localizer, the files assets/image_store).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clean/dom.hpp"

namespace newsmirror::clean {

// One candidate of a srcset attribute: "a.jpg 2x" is {"a.jpg", "2x"}.
struct SrcsetCandidate {
  std::string url;
  std::string descriptor;  // "" when none
};
// Parses a srcset value as the HTML standard does (URLs may contain commas;
// a candidate ends at a comma that follows white space or the URL's end).
std::vector<SrcsetCandidate> parse_srcset(std::string_view value);
std::string format_srcset(const std::vector<SrcsetCandidate>& candidates);

// Every distinct http(s) image URL below `root`, in document order.
std::vector<std::string> image_urls(const Node& root);

// Replaces each image URL for which `local_link(url)` answers; returns how
// many http(s) image URLs stay remote.
std::size_t replace_image_urls(
    Node& root, const std::function<std::optional<std::string>(std::string_view url)>& local_link);

}  // namespace newsmirror::clean
