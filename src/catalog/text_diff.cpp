#include "catalog/text_diff.hpp"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <unordered_map>

namespace newsmirror::catalog {

namespace {

enum class CharClass { space, word, cjk, other };

CharClass classify(UChar32 c) {
  if (c < 0) return CharClass::other;
  if (u_isUWhiteSpace(c)) return CharClass::space;
  UErrorCode status = U_ZERO_ERROR;
  switch (uscript_getScript(c, &status)) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_HANGUL:
      // Han digits and letters are still one character each.
      if (u_isalpha(c) || u_charType(c) == U_OTHER_LETTER) return CharClass::cjk;
      break;
    default:
      break;
  }
  if (u_isalnum(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0) return CharClass::word;
  return CharClass::other;
}

// Token ids: equal tokens get equal ids, so the diff compares integers.
using Ids = std::vector<std::uint32_t>;

struct Snake {
  int x, y, u, v;  // from (x, y) to (u, v), all equal on the way
};

// The middle snake of a[0,n) x b[0,m) (both non-empty, first and last
// elements differing): the part of an optimal path where the forward and
// backward searches meet.
Snake middle_snake(const std::uint32_t* a, int n, const std::uint32_t* b, int m,
                   std::vector<int>& vf, std::vector<int>& vb) {
  const int max = (n + m + 1) / 2 + 1;
  const int delta = n - m;
  const bool odd = (delta & 1) != 0;
  vf.assign(2 * max + 3, 0);
  vb.assign(2 * max + 3, 0);
  const int off = max + 1;
  for (int d = 0; d <= max; ++d) {
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && vf[off + k - 1] < vf[off + k + 1])) ? vf[off + k + 1]
                                                                         : vf[off + k - 1] + 1;
      int y = x - k;
      const int x0 = x, y0 = y;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      vf[off + k] = x;
      const int c = delta - k;
      if (odd && c >= -(d - 1) && c <= d - 1 && vf[off + k] + vb[off + c] >= n) return {x0, y0, x, y};
    }
    for (int c = -d; c <= d; c += 2) {
      int x = (c == -d || (c != d && vb[off + c - 1] < vb[off + c + 1])) ? vb[off + c + 1]
                                                                         : vb[off + c - 1] + 1;
      int y = x - c;
      const int x0 = x, y0 = y;
      while (x < n && y < m && a[n - 1 - x] == b[m - 1 - y]) ++x, ++y;
      vb[off + c] = x;
      const int k = delta - c;
      if (!odd && k >= -d && k <= d && vf[off + k] + vb[off + c] >= n)
        return {n - x, m - y, n - x0, m - y0};
    }
  }
  return {0, 0, 0, 0};  // unreachable for valid input
}

class Differ {
 public:
  Differ(const Ids& a, const Ids& b) : a_(a), b_(b) {}

  // Appends per-token ops for a[a0,a1) -> b[b0,b1).
  void run(int a0, int a1, int b0, int b1) {
    while (a0 < a1 && b0 < b1 && a_[a0] == b_[b0]) {
      push(EditOp::equal, a0++);
      ++b0;
    }
    int tail = 0;
    while (a1 > a0 && b1 > b0 && a_[a1 - 1] == b_[b1 - 1]) --a1, --b1, ++tail;
    if (a0 == a1) {
      for (int j = b0; j < b1; ++j) push(EditOp::insert, j);
    } else if (b0 == b1) {
      for (int i = a0; i < a1; ++i) push(EditOp::remove, i);
    } else {
      const Snake s = middle_snake(a_.data() + a0, a1 - a0, b_.data() + b0, b1 - b0, vf_, vb_);
      const bool splits = !(s.x == 0 && s.y == 0 && s.u == a1 - a0 && s.v == b1 - b0);
      if (!splits) {
        // Cannot happen for trimmed input; a plain replacement is still a
        // correct (if not minimal) script.
        for (int i = a0; i < a1; ++i) push(EditOp::remove, i);
        for (int j = b0; j < b1; ++j) push(EditOp::insert, j);
      } else {
        run(a0, a0 + s.x, b0, b0 + s.y);
        for (int i = s.x; i < s.u; ++i) push(EditOp::equal, a0 + i);
        run(a0 + s.u, a1, b0 + s.v, b1);
      }
    }
    for (int t = 0; t < tail; ++t) push(EditOp::equal, a1 + t);
  }

  struct Step {
    EditOp op;
    int index;  // into a for equal and remove, into b for insert
  };
  std::vector<Step> steps;

 private:
  void push(EditOp op, int index) { steps.push_back({op, index}); }
  const Ids& a_;
  const Ids& b_;
  std::vector<int> vf_, vb_;
};

std::size_t count_chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Byte offset after the first `chars` characters (or from the end).
std::size_t char_offset(std::string_view s, std::size_t chars) {
  std::size_t i = 0;
  while (i < s.size() && chars > 0) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    --chars;
  }
  return i;
}

}  // namespace

std::vector<std::string_view> diff_tokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t i = 0;
  std::int32_t start = 0;
  CharClass run = CharClass::other;
  bool in_run = false;
  while (i < length) {
    const std::int32_t here = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    const CharClass cls = classify(c);
    const bool joins = in_run && cls == run && (cls == CharClass::space || cls == CharClass::word);
    if (!joins) {
      if (in_run) tokens.push_back(text.substr(start, here - start));
      start = here;
      run = cls;
      in_run = true;
    }
  }
  if (in_run) tokens.push_back(text.substr(start, length - start));
  return tokens;
}

std::vector<Edit> diff_text(std::string_view before, std::string_view after) {
  const auto tokens_a = diff_tokens(before);
  const auto tokens_b = diff_tokens(after);
  std::unordered_map<std::string_view, std::uint32_t> ids;
  auto to_ids = [&](const std::vector<std::string_view>& tokens) {
    Ids out;
    out.reserve(tokens.size());
    for (auto t : tokens) out.push_back(ids.emplace(t, static_cast<std::uint32_t>(ids.size())).first->second);
    return out;
  };
  const Ids a = to_ids(tokens_a);
  const Ids b = to_ids(tokens_b);
  Differ differ(a, b);
  differ.run(0, static_cast<int>(a.size()), 0, static_cast<int>(b.size()));

  // Runs, with each changed region's removals before its insertions.
  std::vector<Edit> edits;
  std::string removed, inserted;
  auto flush_change = [&] {
    if (!removed.empty()) edits.push_back({EditOp::remove, std::move(removed)});
    if (!inserted.empty()) edits.push_back({EditOp::insert, std::move(inserted)});
    removed.clear();
    inserted.clear();
  };
  for (const auto& step : differ.steps) {
    if (step.op == EditOp::equal) {
      flush_change();
      if (edits.empty() || edits.back().op != EditOp::equal) edits.push_back({EditOp::equal, {}});
      edits.back().text += tokens_a[step.index];
    } else if (step.op == EditOp::remove) {
      removed += tokens_a[step.index];
    } else {
      inserted += tokens_b[step.index];
    }
  }
  flush_change();
  return edits;
}

std::string render_diff(const std::vector<Edit>& edits, const DiffStyle& style) {
  std::string out;
  const auto context = static_cast<std::size_t>(style.context < 0 ? 0 : style.context);
  for (std::size_t i = 0; i < edits.size(); ++i) {
    const auto& edit = edits[i];
    if (edit.op == EditOp::remove) {
      out += style.remove_open + edit.text + style.remove_close;
      continue;
    }
    if (edit.op == EditOp::insert) {
      out += style.insert_open + edit.text + style.insert_close;
      continue;
    }
    std::string_view text = edit.text;
    if (style.context < 0) {
      out += text;
      continue;
    }
    const bool first = i == 0, last = i + 1 == edits.size();
    const std::size_t chars = count_chars(text);
    if (first && last) continue;  // nothing changed
    if (first) {
      if (chars > context) out += "…";
      out += text.substr(char_offset(text, chars > context ? chars - context : 0));
    } else if (last) {
      out += text.substr(0, char_offset(text, context));
      if (chars > context) out += "…";
    } else if (chars > 2 * context + 1) {
      out += text.substr(0, char_offset(text, context));
      out += "\n…\n";
      out += text.substr(char_offset(text, chars - context));
    } else {
      out += text;
    }
  }
  return out;
}

}  // namespace newsmirror::catalog
