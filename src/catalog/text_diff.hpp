// A readable diff of two texts, for `newsmirror diff`: words and spaces are
// tokens, and each CJK character is a token of its own (Chinese has no
// spaces, so a word-level diff would mark whole sentences as changed).
// The edit script is Myers' O(ND) algorithm in its linear-space form
// (E. W. Myers, "An O(ND) Difference Algorithm and Its Variations", 1986).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace newsmirror::catalog {

// Splits `text` (UTF-8) into tokens whose concatenation is `text`: runs of
// letters and digits (a word), runs of white space, single CJK characters
// (Han, kana, Hangul), and any other character on its own (punctuation).
// Invalid UTF-8 bytes are tokens of one byte.
std::vector<std::string_view> diff_tokens(std::string_view text);

enum class EditOp { equal, remove, insert };

struct Edit {
  EditOp op;
  std::string text;  // the tokens of this run, joined
};

// The shortest edit script from `before` to `after`, as runs of equal,
// removed and inserted text. Adjacent runs never share an op; within a
// changed region the removal comes before the insertion.
std::vector<Edit> diff_text(std::string_view before, std::string_view after);

struct DiffStyle {
  // `[-old-]{+new+}` by default (git's --word-diff=plain); a terminal gets
  // colours instead.
  std::string remove_open = "[-", remove_close = "-]";
  std::string insert_open = "{+", insert_close = "+}";
  // Unchanged text kept on each side of a change, in characters; longer
  // unchanged stretches are cut to "…". Negative: keep everything.
  int context = 40;
};

// The edits as one readable text.
std::string render_diff(const std::vector<Edit>& edits, const DiffStyle& style);

}  // namespace newsmirror::catalog
