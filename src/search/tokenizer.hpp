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
//   - single characters: the character ci alone is also indexed at its
//     position (FTS5_TOKEN_COLOCATED) where a query can need it there: at
//     a run's first position, and at the first occurrence of ci in the
//     text. A one-character query (的, or the 年 of 60年) is then a plain
//     term lookup. Searched as a prefix of every bigram instead, 的 took
//     0.9 s over 100,000 articles; indexed at every position, single
//     characters made the index 2.06x the text instead of 1.38x, and the
//     import 25% slower. A lone character in a query either follows a
//     non-CJK term (60年: in the document too it starts a run) or stands
//     alone, when any one occurrence decides the match. What is lost:
//     such a query's ranking sees only those occurrences.
//   - dictionary words: ICU's word break iterator cuts each CJK run within
//     the first kDictionaryReach characters of the text into words; a word
//     of kMinDictionaryWord (3) or more characters is also indexed, at the
//     position of its first character (FTS5_TOKEN_COLOCATED), as
//     kWordMarker + word. Queries never need them to match; query.cpp ORs
//     them in so that a match on a whole word ranks above one that
//     straddles words (特朗普 the name vs. 特朗普通话).
//     Two-character words are left out: indexing them too made the index
//     2.0x the text instead of 1.6x, and took 45% more time.
//     The reach covers a title whole and an article's lead, where the words
//     that name a story stand. ICU's dictionary costs about 0.15 us per
//     character: over whole articles it was 60% of the import's CPU time
//     (200 us an article, bench/catalog_stages), which alone capped the
//     import of a 2-core machine below the 5,000 articles/s.
//
//   - script boundaries: where a word and a CJK run follow each other
//     (2019年, 在30, 在 Twitter: separators take no position, so a phrase
//     crosses them), the CJK character and the whole word beside it are
//     also one term, kBoundaryMarker + both (without what stood between),
//     colocated with the first of the two. A query
//     searches such a pair as that term: "60年" would otherwise be the
//     phrase 60, 年 of two terms that thousands of articles hold, checked
//     position by position (12 ms over 200,000 articles, and growing).
//
// Queries: a CJK run followed by anything in the query term is tokenized
// as in a document (the text around it is fixed), except that a position
// whose term touches the next run across a script boundary holds the
// boundary term instead. A run that ends the
// term may continue in the document, so it yields only its bigrams, or,
// when it is one character long, that character alone: "中" finds 中国 and
// 中 through the single-character term.
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
// Prefix of the script-boundary terms, likewise never in folded text.
inline constexpr std::string_view kBoundaryMarker = "\x04";
// The shortest dictionary word indexed as a term of its own, in characters.
inline constexpr std::size_t kMinDictionaryWord = 3;
// Dictionary words are looked for in this many first characters of a text.
inline constexpr std::size_t kDictionaryReach = 120;

// The folded form of `text` (invalid UTF-8 becomes U+FFFD).
std::string fold(std::string_view text);

enum class CharClass { separator, word, cjk };
// The class of a folded code point, as the tokenizer sees it.
CharClass classify(char32_t folded);

enum class TokenizeFor {
  document,   // everything, colocated single characters and words included
  query,      // a query term (see above)
  highlight,  // a document's positions only, nothing colocated; a CJK
              //   position's offsets are its first character's alone
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

// ---- a document's terms, worked out ahead -------------------------------
//
// FTS5 keeps only each term and its position, never the byte offsets, so a
// document's terms can be computed on any thread (the import's workers)
// and handed to SQLite in this form; the FTS5 tokenizer replays them in
// the same order with the same colocated flags, which gives the same
// positions as tokenizing the text there. Snippets re-tokenize the stored
// text itself, so offsets never come from this form.
//
//   pretokenized = kPretokenizedMarker *( flag term )
//   flag         = %x02 (a new position) / %x03 (colocated with the previous)
//   term         = 1*( any byte but %x02 and %x03 )
//
// The marker is a byte that UTF-8 never holds (a noncharacter would not do:
// page text may contain them), and a term never holds %x02 or %x03
// (control characters separate words).
inline constexpr char kPretokenizedMarker = '\xFF';

// The document terms of `text` (TokenizeFor::document) in the form above.
std::string pretokenize(std::string_view text);

bool is_pretokenized(std::string_view text);

// An article's terms worked out ahead, on any thread: tokenizing is most of
// the cost of indexing, and the one connection that writes should not pay
// it (see "worked out ahead" above). Made by index_terms() from the
// same title and text that are then indexed.
struct IndexTerms {
  std::string title;  // pretokenized
  std::string body;
};

// Thread-safe.
IndexTerms index_terms(std::string_view title, std::string_view body_text);

// Calls `emit` with each term of a pretokenized text (`begin`/`end` are the
// term's bytes in `encoded`); stops when it returns false. Returns false
// for a text that is not well-formed (a term without a flag, an empty term).
bool replay_pretokenized(std::string_view encoded, const std::function<bool(const Token&)>& emit);

}  // namespace newsmirror::search
