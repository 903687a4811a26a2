#include "site/build_state.hpp"

#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace newsmirror::site {

namespace {

constexpr std::string_view kHeader = "newsmirror-build-state 1\n";

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  for (;;) {
    auto tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) return fields;
    line.remove_prefix(tab + 1);
  }
}

template <typename Number>
bool read_number(std::string_view text, Number& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<BuildState> parse_build_state(std::string_view text) {
  if (!text.starts_with(kHeader) || !text.ends_with('\n')) return std::nullopt;
  text.remove_prefix(kHeader.size());
  BuildState state;
  bool has_mark = false;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto fields = fields_of(text.substr(0, end));
    text.remove_prefix(end + 1);
    const auto& key = fields[0];
    bool good = false;
    if (key == "catalog" && fields.size() == 4) {
      state.mark.catalog = std::string(fields[1]);
      good = !fields[1].empty() && read_number(fields[2], state.mark.last_article) &&
             read_number(fields[3], state.mark.last_version);
      has_mark = good;
    } else if (key == "salt" && fields.size() == 2) {
      state.salt = std::string(fields[1]);
      good = true;
    } else if (key == "pages" && fields.size() == 2) {
      good = read_number(fields[1], state.pages);
    } else if (key == "manifest" && fields.size() == 3) {
      good = read_number(fields[1], state.manifest_lines) && read_number(fields[2], state.manifest_appended);
    } else if (key == "month" && fields.size() == 4) {
      std::size_t count = 0;
      good = read_number(fields[3], count);
      state.counts.months[std::string(fields[1])][std::string(fields[2])] = count;
    } else if (key == "chunk" && fields.size() == 2) {
      std::size_t chunk = 0;
      good = read_number(fields[1], chunk);
      state.counts.chunks.insert(chunk);
    }
    if (!good) return std::nullopt;
  }
  if (!has_mark || state.salt.empty()) return std::nullopt;
  return state;
}

std::optional<std::string> build_state_text(const BuildState& state) {
  auto plain = [](std::string_view field) { return field.find_first_of("\t\n") == std::string_view::npos; };
  if (!plain(state.mark.catalog) || !plain(state.salt)) return std::nullopt;
  std::string text(kHeader);
  text += fmt::format("catalog\t{}\t{}\t{}\n", state.mark.catalog, state.mark.last_article, state.mark.last_version);
  text += fmt::format("salt\t{}\n", state.salt);
  text += fmt::format("pages\t{}\n", state.pages);
  text += fmt::format("manifest\t{}\t{}\n", state.manifest_lines, state.manifest_appended);
  for (const auto& [site, months] : state.counts.months) {
    if (!plain(site)) return std::nullopt;
    for (const auto& [month, count] : months) text += fmt::format("month\t{}\t{}\t{}\n", site, month, count);
  }
  for (auto chunk : state.counts.chunks) text += fmt::format("chunk\t{}\n", chunk);
  return text;
}

}  // namespace newsmirror::site
