#include "search/tokenizer.hpp"

#include <opencc/SimpleConverter.hpp>
#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "core/utf8.hpp"

namespace newsmirror::search {
namespace {

// ---- folding tables ---------------------------------------------------

// Traditional -> Simplified, one code point to one code point, taken from
// OpenCC's t2s conversion of each character on its own. The BMP ideograph
// blocks are a flat array (the hot path); the rest a hash map.
class SimplifiedTable {
 public:
  SimplifiedTable() {
    opencc::SimpleConverter converter("t2s.json");
    // All candidates in one call, one per line: no OpenCC phrase contains a
    // line break, so each character converts on its own.
    std::u32string candidates;
    for (char32_t c = kFlatFirst; c <= kFlatLast; ++c) candidates += c;
    for (char32_t c = 0x20000; c <= 0x2FA1F; ++c) candidates += c;
    std::string joined;
    for (char32_t c : candidates) {
      core::append_utf8(joined, c);
      joined += '\n';
    }
    std::string converted = converter.Convert(joined);

    flat_.resize(kFlatLast - kFlatFirst + 1);
    std::size_t line_start = 0;
    for (char32_t original : candidates) {
      std::size_t line_end = converted.find('\n', line_start);
      if (line_end == std::string::npos) throw std::runtime_error("OpenCC dropped a line break");
      char32_t simplified = single_code_point(std::string_view(converted).substr(line_start, line_end - line_start));
      if (simplified == 0) simplified = original;
      if (original >= kFlatFirst && original <= kFlatLast)
        flat_[original - kFlatFirst] = simplified;
      else if (simplified != original)
        other_.emplace(original, simplified);
      line_start = line_end + 1;
    }
  }

  char32_t map(char32_t c) const {
    if (c >= kFlatFirst && c <= kFlatLast) return flat_[c - kFlatFirst];
    if (c < 0x20000) return c;
    auto it = other_.find(c);
    return it == other_.end() ? c : it->second;
  }

 private:
  // CJK Extension A through the end of the Unified Ideographs block.
  static constexpr char32_t kFlatFirst = 0x3400;
  static constexpr char32_t kFlatLast = 0x9FFF;

  // The code point `s` holds, or 0 when it holds none or several.
  static char32_t single_code_point(std::string_view s) {
    int32_t i = 0;
    UChar32 c = 0;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, static_cast<int32_t>(s.size()), c);
    if (c < 0 || static_cast<std::size_t>(i) != s.size()) return 0;
    return static_cast<char32_t>(c);
  }

  std::vector<char32_t> flat_;
  std::unordered_map<char32_t, char32_t> other_;
};

const SimplifiedTable& simplified_table() {
  static const SimplifiedTable table;
  return table;
}

const icu::Normalizer2& nfkc_casefold() {
  static const icu::Normalizer2* normalizer = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU NFKC_Casefold: ") + u_errorName(status));
    return n;
  }();
  return *normalizer;
}

// Ideographs that NFKC_Casefold leaves alone (no decomposition, starters
// that compose with nothing): the hot path skips the normalizer for them.
bool is_stable_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF);
}

// ---- folding with source offsets --------------------------------------

struct FoldedChar {
  char32_t c;
  int begin;  // byte range of the source text it came from
  int end;
};

// Decodes the code point at s[i], advancing i; invalid bytes give U+FFFD.
char32_t next_code_point(std::string_view s, int32_t& i) {
  UChar32 c = 0;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i, static_cast<int32_t>(s.size()), c);
  return c < 0 ? char32_t{0xFFFD} : static_cast<char32_t>(c);
}

// Folds `text`, keeping for each folded character the source bytes it came
// from. Text is normalized in segments that start where the normalizer
// has a boundary, so that composition and reordering never cross one; all
// characters a segment yields map to the whole segment.
void fold_with_offsets(std::string_view text, std::vector<FoldedChar>& out) {
  const icu::Normalizer2& normalizer = nfkc_casefold();
  const SimplifiedTable& simplified = simplified_table();
  out.clear();
  const int32_t size = static_cast<int32_t>(text.size());
  int32_t i = 0;
  icu::UnicodeString segment;
  icu::UnicodeString normalized;
  while (i < size) {
    const int32_t begin = i;
    char32_t c = next_code_point(text, i);
    // Extend the segment over characters that attach to the previous one.
    int32_t end = i;
    while (end < size && static_cast<unsigned char>(text[end]) >= 0x80) {
      int32_t probe = end;
      char32_t next = next_code_point(text, probe);
      if (is_stable_ideograph(next) || normalizer.hasBoundaryBefore(static_cast<UChar32>(next))) break;
      end = probe;
    }
    if (end == i && c < 0x80) {
      out.push_back({(c >= 'A' && c <= 'Z') ? c + 32 : c, begin, end});
    } else if (end == i && is_stable_ideograph(c)) {
      out.push_back({simplified.map(c), begin, end});
    } else {
      segment = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data() + begin, end - begin));
      UErrorCode status = U_ZERO_ERROR;
      normalizer.normalize(segment, normalized, status);
      if (U_FAILURE(status)) normalized = segment;
      for (int32_t k = 0; k < normalized.length();) {
        UChar32 folded = normalized.char32At(k);
        k += U16_LENGTH(folded);
        out.push_back({simplified.map(static_cast<char32_t>(folded)), begin, end});
      }
    }
    i = end;
  }
}

// ---- terms --------------------------------------------------------------

// Dictionary segmentation of CJK runs. A BreakIterator is not thread-safe,
// so each thread keeps its own.
icu::BreakIterator& word_breaker() {
  thread_local std::unique_ptr<icu::BreakIterator> breaker = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> b(icu::BreakIterator::createWordInstance(icu::Locale("zh"), status));
    if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU word break iterator: ") + u_errorName(status));
    return b;
  }();
  return *breaker;
}

// The dictionary words of kMinDictionaryWord+ CJK characters among the
// first `reach` characters: (start, length) pairs, in order. The text is
// broken in one piece, not run by run: each setText() costs the iterator
// about as much as breaking a short run, and a text has a run between
// every two punctuation marks. A word never spans a run's end (separators
// and other scripts break words), so the words are the same.
void dictionary_words(const std::vector<FoldedChar>& chars, const std::vector<CharClass>& kinds, std::size_t reach,
                      std::vector<std::pair<std::size_t, std::size_t>>& words) {
  words.clear();
  bool any_run = false;
  for (std::size_t k = 0; k < reach && !any_run; ++k) any_run = kinds[k] == CharClass::cjk;
  if (!any_run) return;
  icu::UnicodeString text;
  std::vector<std::size_t> char_at_unit;  // UTF-16 index -> index in chars
  for (std::size_t k = 0; k < reach; ++k) {
    for (int u = 0; u < U16_LENGTH(chars[k].c); ++u) char_at_unit.push_back(k);
    text.append(static_cast<UChar32>(chars[k].c));
  }
  char_at_unit.push_back(reach);
  icu::BreakIterator& breaker = word_breaker();
  breaker.setText(text);
  int32_t start = breaker.first();
  for (int32_t end = breaker.next(); end != icu::BreakIterator::DONE; start = end, end = breaker.next()) {
    const std::size_t a = char_at_unit[static_cast<std::size_t>(start)];
    const std::size_t b = char_at_unit[static_cast<std::size_t>(end)];
    if (b - a < kMinDictionaryWord) continue;
    bool all_cjk = true;
    for (std::size_t k = a; k < b && all_cjk; ++k) all_cjk = kinds[k] == CharClass::cjk;
    if (all_cjk) words.emplace_back(a, b - a);
  }
}

// The characters a document text has already indexed alone (see "single
// characters" in tokenizer.hpp): a bit per BMP code point, cleared after
// each text by the list of the bits it set. Characters beyond the BMP are
// never marked, so each of their occurrences is indexed: rare enough not to
// matter, and never a missed match.
class SeenCharacters {
 public:
  // True the first time `c` is offered since the last clear().
  bool first_time(char32_t c) {
    if (c > 0xFFFF) return true;
    if (bits_.empty()) bits_.resize(0x10000 / 64);
    std::uint64_t& word = bits_[c / 64];
    const std::uint64_t bit = std::uint64_t{1} << (c % 64);
    if (word & bit) return false;
    word |= bit;
    marked_.push_back(c);
    return true;
  }

  void clear() {
    for (char32_t c : marked_) bits_[c / 64] = 0;
    marked_.clear();
  }

 private:
  std::vector<std::uint64_t> bits_;
  std::vector<char32_t> marked_;
};

// Working memory of a Tokenizer, kept between runs where that is safe.
struct Scratch {
  std::vector<FoldedChar> chars;
  std::vector<CharClass> kinds;  // of each of `chars`
  std::vector<std::pair<std::size_t, std::size_t>> words;
  std::string term;
  SeenCharacters seen;
};

// `Emit` is called as bool(const Token&); a template so that pretokenize's
// hot loop calls it directly.
template <class Emit>
class Tokenizer {
 public:
  Tokenizer(TokenizeFor mode, Emit& emit, Scratch& scratch)
      : mode_(mode), emit_(emit), chars_(scratch.chars), kinds_(scratch.kinds), words_(scratch.words),
        term_(scratch.term), seen_(scratch.seen) {}

  void run(std::string_view text) {
    if (mode_ == TokenizeFor::query && text.starts_with(kWordMarker)) {
      run_word_query(text.substr(kWordMarker.size()), static_cast<int>(kWordMarker.size()));
      return;
    }
    seen_.clear();
    fold_with_offsets(text, chars_);
    // Once per character: runs and their neighbours look at each several
    // times, and classify() asks ICU for anything beyond ASCII and Han.
    kinds_.resize(chars_.size());
    for (std::size_t k = 0; k < chars_.size(); ++k) kinds_[k] = classify(chars_[k].c);
    words_.clear();
    if (mode_ == TokenizeFor::document) dictionary_words(chars_, kinds_, std::min(chars_.size(), kDictionaryReach), words_);
    std::size_t i = 0;
    while (i < chars_.size() && !stopped_) {
      const CharClass kind = kinds_[i];
      const std::size_t j = run_end(i, kind);
      if (kind == CharClass::word) emit_word_run(i, j);
      else if (kind == CharClass::cjk) emit_cjk_run(i, j, /*ends_text=*/j == chars_.size());
      i = j;
    }
  }

 private:
  bool emit(std::string_view term, int begin, int end, bool colocated) {
    if (stopped_) return false;
    if (!emit_(Token{term, begin, end, colocated})) stopped_ = true;
    return !stopped_;
  }

  std::size_t run_end(std::size_t first, CharClass kind) const {
    std::size_t end = first + 1;
    while (end < chars_.size() && kinds_[end] == kind) ++end;
    return end;
  }

  // Where the run after the one ending at `end` starts, when it is of
  // class `kind`, past any separators (they take no position), else 0.
  std::size_t next_run_of(std::size_t end, CharClass kind) const {
    while (end < chars_.size() && kinds_[end] == CharClass::separator) ++end;
    return end < chars_.size() && kinds_[end] == kind ? end : 0;
  }

  // kBoundaryMarker + chars [first, first_end) + chars [second, second_end):
  // a CJK character and the word after it, or a word and the CJK character
  // after it (their scripts tell the two sides apart).
  void make_boundary_term(std::size_t first, std::size_t first_end, std::size_t second, std::size_t second_end) {
    term_.assign(kBoundaryMarker);
    for (std::size_t k = first; k < first_end; ++k) core::append_utf8(term_, chars_[k].c);
    for (std::size_t k = second; k < second_end; ++k) core::append_utf8(term_, chars_[k].c);
  }

  // Emits the term for chars [first, last) at a new position, or, in a
  // query, the boundary term with the next run when the two touch.
  void emit_word_run(std::size_t first, std::size_t last) {
    const std::size_t cjk = next_run_of(last, CharClass::cjk);
    if (cjk && mode_ == TokenizeFor::query) {
      make_boundary_term(first, last, cjk, cjk + 1);
      emit(term_, chars_[first].begin, chars_[last - 1].end, false);
      return;
    }
    term_.clear();
    for (std::size_t k = first; k < last; ++k) core::append_utf8(term_, chars_[k].c);
    if (!emit(term_, chars_[first].begin, chars_[last - 1].end, false)) return;
    if (cjk && mode_ == TokenizeFor::document) {
      make_boundary_term(first, last, cjk, cjk + 1);
      emit(term_, chars_[first].begin, chars_[cjk].end, true);
    }
  }

  void emit_cjk_run(std::size_t first, std::size_t last, bool ends_text) {
    const bool open_ended = (mode_ == TokenizeFor::query && ends_text);
    const std::size_t n = last - first;
    // The text's dictionary words (found in run()) that start in this run.
    auto next_word = std::lower_bound(words_.begin(), words_.end(), std::pair<std::size_t, std::size_t>{first, 0});
    const std::size_t word = next_run_of(last, CharClass::word);
    for (std::size_t k = first; k < last; ++k) {
      const bool is_last = (k + 1 == last);
      if (is_last && open_ended && n >= 2) break;  // the last bigram covers it
      if (is_last && word && mode_ == TokenizeFor::query) {
        make_boundary_term(k, last, word, run_end(word, CharClass::word));
        emit(term_, chars_[k].begin, chars_[k].end, false);
        return;
      }
      term_.clear();
      core::append_utf8(term_, chars_[k].c);
      int end = chars_[k].end;
      if (!is_last) {
        core::append_utf8(term_, chars_[k + 1].c);
        // A highlighted position stands for its first character alone.
        if (mode_ != TokenizeFor::highlight) end = chars_[k + 1].end;
      }
      if (!emit(term_, chars_[k].begin, end, false)) return;
      // The character alone, where a query can need it (tokenizer.hpp);
      // a run's last position already is that character.
      if (mode_ == TokenizeFor::document) {
        const bool first_time = seen_.first_time(chars_[k].c);
        if (!is_last && (first_time || k == first)) {
          term_.clear();
          core::append_utf8(term_, chars_[k].c);
          if (!emit(term_, chars_[k].begin, chars_[k].end, true)) return;
        }
      }
      for (; next_word != words_.end() && next_word->first == k; ++next_word) {
        term_.clear();
        term_ += kWordMarker;
        for (std::size_t w = 0; w < next_word->second; ++w) core::append_utf8(term_, chars_[k + w].c);
        if (!emit(term_, chars_[k].begin, chars_[k + next_word->second - 1].end, true)) return;
      }
      if (is_last && word && mode_ == TokenizeFor::document) {
        const std::size_t word_end = run_end(word, CharClass::word);
        make_boundary_term(k, last, word, word_end);
        if (!emit(term_, chars_[k].begin, chars_[word_end - 1].end, true)) return;
      }
    }
  }

  void run_word_query(std::string_view word, int offset) {
    fold_with_offsets(word, chars_);
    if (chars_.size() < kMinDictionaryWord) return;
    for (const FoldedChar& c : chars_)
      if (classify(c.c) != CharClass::cjk) return;
    term_.clear();
    term_ += kWordMarker;
    for (const FoldedChar& c : chars_) core::append_utf8(term_, c.c);
    emit(term_, offset, offset + static_cast<int>(word.size()), false);
  }

  TokenizeFor mode_;
  Emit& emit_;
  bool stopped_ = false;
  std::vector<FoldedChar>& chars_;
  std::vector<CharClass>& kinds_;
  std::vector<std::pair<std::size_t, std::size_t>>& words_;
  std::string& term_;
  SeenCharacters& seen_;
};

}  // namespace

CharClass classify(char32_t c) {
  if (c < 0x80) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) return CharClass::word;
    return CharClass::separator;
  }
  if (is_stable_ideograph(c)) return CharClass::cjk;
  const UChar32 u = static_cast<UChar32>(c);
  if (u_hasBinaryProperty(u, UCHAR_IDEOGRAPHIC)) return CharClass::cjk;
  UErrorCode status = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(u, &status);
  if (script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
      script == USCRIPT_BOPOMOFO)
    return CharClass::cjk;
  if (u_isalnum(u) || (U_GET_GC_MASK(u) & U_GC_M_MASK) != 0) return CharClass::word;
  return CharClass::separator;
}

std::string fold(std::string_view text) {
  std::vector<FoldedChar> chars;
  fold_with_offsets(text, chars);
  std::string out;
  out.reserve(text.size());
  for (const FoldedChar& c : chars) core::append_utf8(out, c.c);
  return out;
}

void tokenize(std::string_view text, TokenizeFor mode, const std::function<bool(const Token&)>& emit) {
  // Fresh memory: `emit` may tokenize too.
  Scratch scratch;
  Tokenizer<const std::function<bool(const Token&)>>(mode, emit, scratch).run(text);
}

namespace {
constexpr char kNewPosition = '\x02';
constexpr char kColocated = '\x03';
}  // namespace

std::string pretokenize(std::string_view text) {
  std::string out;
  // CJK text yields about one term of two characters per character.
  out.reserve(text.size() * 2 + 16);
  out += kPretokenizedMarker;
  auto append = [&](const Token& token) {
    out += token.colocated ? kColocated : kNewPosition;
    out += token.text;
    return true;
  };
  thread_local Scratch scratch;  // `append` never tokenizes
  Tokenizer<decltype(append)>(TokenizeFor::document, append, scratch).run(text);
  return out;
}

bool is_pretokenized(std::string_view text) { return !text.empty() && text.front() == kPretokenizedMarker; }

bool replay_pretokenized(std::string_view encoded, const std::function<bool(const Token&)>& emit) {
  if (!is_pretokenized(encoded)) return false;
  const char* const base = encoded.data();
  const char* p = base + 1;
  const char* const end = base + encoded.size();
  while (p < end) {
    const char flag = *p;
    if (flag != kNewPosition && flag != kColocated) return false;
    const char* term = ++p;
    while (p < end && *p != kNewPosition && *p != kColocated) ++p;
    if (p == term) return false;
    const Token token{std::string_view(term, static_cast<std::size_t>(p - term)), static_cast<int>(term - base),
                      static_cast<int>(p - base), flag == kColocated};
    if (!emit(token)) return true;
  }
  return true;
}

IndexTerms index_terms(std::string_view title, std::string_view body_text) {
  return {pretokenize(title), pretokenize(body_text)};
}

}  // namespace newsmirror::search
