#include "cli/text_table.hpp"

#include <algorithm>

namespace newsmirror::cli {

namespace {

// The East Asian Wide and Fullwidth blocks that matter for news titles and
// site names; a full table would be overkill for column alignment.
bool is_wide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
         (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    auto byte = static_cast<unsigned char>(text[i]);
    char32_t c = byte;
    std::size_t length = 1;
    if (byte >= 0xF0) { c = byte & 0x07; length = 4; }
    else if (byte >= 0xE0) { c = byte & 0x0F; length = 3; }
    else if (byte >= 0xC0) { c = byte & 0x1F; length = 2; }
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
      c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    i += length;
    width += is_wide(c) ? 2 : 1;
  }
  return width;
}

TextTable::TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }

void TextTable::add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

void TextTable::align_right(std::size_t column) {
  if (right_.size() <= column) right_.resize(column + 1);
  right_[column] = true;
}

std::string TextTable::render() const {
  std::vector<std::size_t> widths;
  for (const auto& row : rows_)
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (widths.size() <= c) widths.resize(c + 1);
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::string pad(widths[c] - display_width(row[c]), ' ');
      bool right = c < right_.size() && right_[c];
      if (c > 0) line += "  ";
      line += right ? pad + row[c] : (c + 1 == row.size() ? row[c] : row[c] + pad);
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace newsmirror::cli
