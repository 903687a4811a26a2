// Plain-text tables for a terminal, aware that CJK characters take two
// columns (source names are usually Chinese).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace newsmirror::cli {

// Columns a UTF-8 string occupies on a terminal (East Asian wide and
// full-width characters count two).
std::size_t display_width(std::string_view text);

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);
  void add_row(std::vector<std::string> cells);
  // Columns listed here are right-aligned (numbers).
  void align_right(std::size_t column);
  std::string render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
};

}  // namespace newsmirror::cli
