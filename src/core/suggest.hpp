// "Did you mean ...?" for mistyped names: config keys, subcommands.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace newsmirror::core {

// Levenshtein distance in bytes.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, when it is close enough to be a likely
// typo (a third of the word may be wrong, at least two edits); else nullopt.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

}  // namespace newsmirror::core
