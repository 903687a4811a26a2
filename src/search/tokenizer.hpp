// The search tokenizer: how text becomes index terms, shared by documents
// and queries so that both fold the same way.
//
// Folding, applied to every character: NFKC with case folding (ICU's
// NFKC_Casefold: full-width "Ｅ" -> "e", "ﬁ" -> "fi"), then Traditional ->
// Simplified Chinese character by character with OpenCC's t2s tables
// (臺灣 -> 台湾). Character by character, not by phrase, so that a
// character folds the same way whatever stands beside it: a substring of
// the text still folds to a substring of the folded text.
//
// Terms, from the folded text:
//   - a run of letters, digits and marks (Latin, Cyrillic, Hangul, ...) is
//     one term: "english123". No stemming. Anything else separates words,
//     so "nytimes.com" is the two terms "nytimes" "com".
//   - a run of CJK characters (Han, kana, bopomofo) c1..cn takes n
//     positions: position i holds the bigram ci c(i+1), the last position
//     the single character cn. Every position's term starts with the
//     character at that position, so a query phrase of bigrams matches
//     wherever its characters stand, however a dictionary would cut them.
//   - dictionary words: ICU's word break iterator cuts each CJK run into
//     words; a word of kMinDictionaryWord (3) or more characters is also
//     indexed, at the position of its first character
//     (FTS5_TOKEN_COLOCATED), as kWordMarker + word. Queries never need
//     them to match; query.cpp ORs them in so that a match on a whole word
//     ranks above one that straddles words (特朗普 the name vs. 特朗普通话).
//     Two-character words are left out: indexing them too made the index
//     2.0x the text instead of 1.6x, and took 45% more time.
//
// Queries: a CJK run followed by anything in the query term is tokenized
// as in a document (the text around it is fixed). A run that ends the
// term may continue in the document, so it yields only its bigrams, or,
// when it is one character long, that character, which the query must
// search as a prefix (query_needs_prefix): "中" finds 中国 and 中.
//
// Thread-safety: all functions may be called from any thread; the folding
// tables are built once, on first use (about 50 ms).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace newsmirror::search {

// Prefix of the dictionary-word terms; no folded text contains it (control
// characters separate words).
inline constexpr std::string_view kWordMarker = "\x01";
// The shortest dictionary word indexed as a term of its own, in characters.
inline constexpr std::size_t kMinDictionaryWord = 3;

// The folded form of `text` (invalid UTF-8 becomes U+FFFD).
std::string fold(std::string_view text);

enum class CharClass { separator, word, cjk };
// The class of a folded code point, as the tokenizer sees it.
CharClass classify(char32_t folded);

enum class TokenizeFor {
  document,   // everything, dictionary words included
  query,      // a query term (see above)
  highlight,  // a document's positions only: no colocated dictionary words
};

struct Token {
  std::string_view text;  // the folded term; valid during the callback only
  int begin = 0;          // byte range in the tokenized text that the term
  int end = 0;            //   stands for
  bool colocated = false; // at the same position as the previous token
};

// Calls `emit` for each term in position order; stops when it returns false.
// For TokenizeFor::query, a text starting with kWordMarker yields the one
// dictionary-word term for the rest of it (or nothing if it is not one
// CJK run of kMinDictionaryWord or more characters).
void tokenize(std::string_view text, TokenizeFor mode,
              const std::function<bool(const Token&)>& emit);

// True when the last term of a query term is a single CJK character that
// ends the term (it must be matched as a prefix: "中"*).
bool query_needs_prefix(std::string_view term);

}  // namespace newsmirror::search
