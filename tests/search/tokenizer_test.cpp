#include "search/tokenizer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace newsmirror::search {
namespace {

struct Term {
  std::string text;
  int begin;
  int end;
  bool colocated;
  bool operator==(const Term&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Term& t) {
  return out << (t.colocated ? "+" : "") << '"' << t.text << "\"@" << t.begin << '-' << t.end;
}

std::vector<Term> terms_of(std::string_view text, TokenizeFor mode) {
  std::vector<Term> terms;
  tokenize(text, mode, [&](const Token& t) {
    terms.push_back({std::string(t.text), t.begin, t.end, t.colocated});
    return true;
  });
  return terms;
}

// The terms' texts only, dictionary words left out.
std::vector<std::string> positions_of(std::string_view text, TokenizeFor mode) {
  std::vector<std::string> out;
  for (const Term& t : terms_of(text, mode))
    if (!t.colocated) out.push_back(t.text);
  return out;
}

std::string word(std::string_view w) { return std::string(kWordMarker) + std::string(w); }

bool is_dictionary_word(const Term& t) { return t.text.starts_with(kWordMarker); }
bool is_boundary(const Term& t) { return t.text.starts_with(kBoundaryMarker); }
std::string boundary(std::string_view pair) { return std::string(kBoundaryMarker) + std::string(pair); }

// The colocated script-boundary terms of a document text, as "term@position".
std::vector<std::string> boundaries_of(std::string_view text) {
  std::vector<std::string> out;
  int position = -1;
  for (const Term& t : terms_of(text, TokenizeFor::document)) {
    if (!t.colocated) ++position;
    else if (is_boundary(t)) out.push_back(t.text + "@" + std::to_string(position));
  }
  return out;
}

// The colocated single characters of a document text, as "term@position".
std::vector<std::string> single_characters_of(std::string_view text) {
  std::vector<std::string> out;
  int position = -1;
  for (const Term& t : terms_of(text, TokenizeFor::document)) {
    if (!t.colocated) ++position;
    else if (!is_dictionary_word(t) && !is_boundary(t)) out.push_back(t.text + "@" + std::to_string(position));
  }
  return out;
}

TEST(SearchTokenizer, FoldsFullWidthFormsAndCase) {
  EXPECT_EQ(fold("Ｅ"), "e");
  EXPECT_EQ(fold("ＡＢＣ１２３"), "abc123");
  EXPECT_EQ(fold("Straße ÉCOLE ﬁle"), "strasse école file");
  EXPECT_EQ(fold("㈱"), "(株)");
}

TEST(SearchTokenizer, FoldsTraditionalChineseToSimplified) {
  EXPECT_EQ(fold("臺灣"), "台湾");
  EXPECT_EQ(fold("台湾"), "台湾");
  EXPECT_EQ(fold("習近平"), "习近平");
  EXPECT_EQ(fold("國際新聞"), "国际新闻");
}

TEST(SearchTokenizer, FoldsEachCharacterAloneSoSubstringsStaySubstrings) {
  // OpenCC's phrase table turns 乾隆 into 乾隆 but 乾 alone into 干; the
  // index must fold 乾 the same way in both, or a query "乾" would miss.
  std::string alone = fold("乾");
  EXPECT_NE(fold("乾隆").find(alone), std::string::npos);
}

TEST(SearchTokenizer, DecomposedAccentsFoldLikePrecomposedOnes) {
  EXPECT_EQ(fold("Cafe\u0301"), fold("CAFÉ"));
  EXPECT_EQ(positions_of("Cafe\u0301 au lait", TokenizeFor::document),
            (std::vector<std::string>{"café", "au", "lait"}));
}

TEST(SearchTokenizer, CjkRunIsOverlappingBigramsEndingWithItsLastCharacter) {
  EXPECT_EQ(positions_of("中华人民", TokenizeFor::document),
            (std::vector<std::string>{"中华", "华人", "人民", "民"}));
  EXPECT_EQ(positions_of("人", TokenizeFor::document), (std::vector<std::string>{"人"}));
}

TEST(SearchTokenizer, MixedTextSplitsAtScriptChanges) {
  EXPECT_EQ(positions_of("中文English123", TokenizeFor::document),
            (std::vector<std::string>{"中文", "文", "english123"}));
  EXPECT_EQ(positions_of("2020年10月", TokenizeFor::document),
            (std::vector<std::string>{"2020", "年", "10", "月"}));
}

TEST(SearchTokenizer, LatinWordsAreLetterAndDigitRunsWithoutStemming) {
  EXPECT_EQ(positions_of("The U.S. runners' nytimes.com don't", TokenizeFor::document),
            (std::vector<std::string>{"the", "u", "s", "runners", "nytimes", "com", "don", "t"}));
}

TEST(SearchTokenizer, OffsetsPointIntoTheOriginalText) {
  // "ＡＢ" is 6 bytes, folded to 2; 臺灣 folds to 台湾 (same length here).
  std::vector<Term> terms = terms_of("ＡＢ 臺灣", TokenizeFor::document);
  ASSERT_EQ(terms.size(), 5u);
  EXPECT_EQ(terms[0], (Term{"ab", 0, 6, false}));
  EXPECT_EQ(terms[1], (Term{boundary("ab台"), 0, 10, true}));
  EXPECT_EQ(terms[2], (Term{"台湾", 7, 13, false}));
  EXPECT_EQ(terms[3], (Term{"台", 7, 10, true}));
  EXPECT_EQ(terms[4], (Term{"湾", 10, 13, false}));
}

TEST(SearchTokenizer, HighlightPositionsStandForTheirFirstCharacterOnly) {
  // The snippet adds a bigram's second character when the query says the
  // match reaches it; a lone-character match must not light up two.
  std::vector<Term> terms = terms_of("ＡＢ 臺灣", TokenizeFor::highlight);
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0], (Term{"ab", 0, 6, false}));
  EXPECT_EQ(terms[1], (Term{"台湾", 7, 10, false}));
  EXPECT_EQ(terms[2], (Term{"湾", 10, 13, false}));
}

TEST(SearchTokenizer, SingleCharactersAreIndexedAtRunStartsAndFirstOccurrences) {
  // Positions: 0 中国, 1 国人, 2 人, 3 2020, 4 年中, 5 中国, 6 国, 7 中国,
  // 8 国. 中 and 国 again at 5 and 7 are repeats inside runs; 年 at 4
  // starts a run (a query "2020年" needs it there); the last character
  // of a run is already its position's term.
  EXPECT_EQ(single_characters_of("中国人2020年中国，中国"),
            (std::vector<std::string>{"中@0", "国@1", "年@4", "中@7"}));
}

TEST(SearchTokenizer, SingleCharactersAreCountedPerText) {
  // The pretokenizing thread reuses its memory: a character seen in one
  // text is new again in the next.
  EXPECT_EQ(pretokenize("中国人"), pretokenize("中国人"));
  EXPECT_EQ(single_characters_of("中国人"), (std::vector<std::string>{"中@0", "国@1"}));
}

TEST(SearchTokenizer, DictionaryWordsAreColocatedWithTheirFirstCharacter) {
  // A common word in ICU's dictionary: ICU 72 (Debian 12) has no 特朗普 and
  // cuts it into single characters, so a name would test the data, not us.
  const std::string text = "中华人民共和国宣布";  // 9 characters, 3 bytes each
  std::vector<Term> terms = terms_of(text, TokenizeFor::document);
  int words = 0;
  int position = -1;
  for (const Term& t : terms) {
    if (!t.colocated) {
      ++position;
      continue;
    }
    if (!is_dictionary_word(t)) continue;  // a single character
    // A word of the text that starts where the position's bigram starts.
    ++words;
    EXPECT_EQ(t.begin, position * 3) << t;
    EXPECT_EQ(text.substr(t.begin, t.end - t.begin), t.text.substr(kWordMarker.size())) << t;
    EXPECT_GE(t.end - t.begin, 3 * static_cast<int>(kMinDictionaryWord)) << t;
  }
  EXPECT_GE(words, 1);  // 共和国 (or the whole 中华人民共和国)
  EXPECT_EQ(positions_of(text, TokenizeFor::document),
            (std::vector<std::string>{"中华", "华人", "人民", "民共", "共和", "和国", "国宣", "宣布", "布"}));
}

TEST(SearchTokenizer, HighlightModeHasNoDictionaryWords) {
  for (const Term& t : terms_of("中华人民共和国主席习近平", TokenizeFor::highlight)) EXPECT_FALSE(t.colocated) << t;
}

TEST(SearchTokenizer, QueryRunAtTheEndLeavesOutItsLastCharacter) {
  // The document may go on after the query's last character, so the
  // query's last position is a bigram, or a lone character, which
  // documents index alone where a query can need it.
  EXPECT_EQ(positions_of("中国", TokenizeFor::query), (std::vector<std::string>{"中国"}));
  EXPECT_EQ(positions_of("中", TokenizeFor::query), (std::vector<std::string>{"中"}));
  EXPECT_EQ(positions_of("iPhone手", TokenizeFor::query), (std::vector<std::string>{boundary("iphone手"), "手"}));
}

TEST(SearchTokenizer, ScriptBoundariesAreTermsTooColocatedWithTheirFirstSide) {
  // Positions: 0 在, 1 2019, 2 年, 3 3, 4 月, 5 iphone, 6 手机, 7 机. Each
  // neighbouring pair of a CJK character and a word is a term at its first
  // side's position, whatever separators stand between them (a phrase
  // crosses them too: they take no position).
  EXPECT_EQ(boundaries_of("在2019年3月，iPhone手机"),
            (std::vector<std::string>{boundary("在2019") + "@0", boundary("2019年") + "@1", boundary("年3") + "@2",
                                      boundary("3月") + "@3", boundary("月iphone") + "@4",
                                      boundary("iphone手") + "@5"}));
  EXPECT_EQ(boundaries_of("在 Twitter 上"),
            (std::vector<std::string>{boundary("在twitter") + "@0", boundary("twitter上") + "@1"}));
  EXPECT_TRUE(boundaries_of("中国 人民，新闻").empty()) << "no script change";
  EXPECT_TRUE(boundaries_of("abc def 2019").empty()) << "no script change";
}

TEST(SearchTokenizer, QueryTakesTheBoundaryTermForAPositionThatTouchesTheNextRun) {
  EXPECT_EQ(positions_of("在3", TokenizeFor::query), (std::vector<std::string>{boundary("在3"), "3"}));
  EXPECT_EQ(positions_of("2019年", TokenizeFor::query), (std::vector<std::string>{boundary("2019年"), "年"}));
  EXPECT_EQ(positions_of("3月份", TokenizeFor::query), (std::vector<std::string>{boundary("3月"), "月份"}));
}

TEST(SearchTokenizer, QueryRunFollowedByMoreTextIsTokenizedAsInADocument) {
  EXPECT_EQ(positions_of("中国a", TokenizeFor::query), (std::vector<std::string>{"中国", boundary("国a"), "a"}));
  EXPECT_EQ(positions_of("a中b", TokenizeFor::query),
            (std::vector<std::string>{boundary("a中"), boundary("中b"), "b"}));
}

TEST(SearchTokenizer, QueryNeverYieldsDictionaryWords) {
  for (const Term& t : terms_of("习近平", TokenizeFor::query)) EXPECT_FALSE(t.text.starts_with(kWordMarker));
}

TEST(SearchTokenizer, MarkedQueryIsOneDictionaryWord) {
  EXPECT_EQ(positions_of(word("習近平"), TokenizeFor::query), (std::vector<std::string>{word("习近平")}));
  EXPECT_TRUE(positions_of(word("台湾"), TokenizeFor::query).empty());  // too short to be indexed
  EXPECT_TRUE(positions_of(word("abc"), TokenizeFor::query).empty());
}

TEST(SearchTokenizer, InvalidUtf8IsASeparatorNotAnError) {
  EXPECT_EQ(positions_of("ab\xff" "cd", TokenizeFor::document), (std::vector<std::string>{"ab", "cd"}));
  EXPECT_EQ(positions_of("\xe4\xb8", TokenizeFor::document), std::vector<std::string>{});
}

TEST(SearchTokenizer, StopsWhenTheCallbackSaysSo) {
  int calls = 0;
  tokenize("one two three 中国人", TokenizeFor::document, [&](const Token&) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
}

TEST(SearchTokenizer, ClassifiesScripts) {
  EXPECT_EQ(classify(U'中'), CharClass::cjk);
  EXPECT_EQ(classify(U'か'), CharClass::cjk);
  EXPECT_EQ(classify(U'a'), CharClass::word);
  EXPECT_EQ(classify(U'한'), CharClass::word);
  EXPECT_EQ(classify(U'，'), CharClass::separator);
  EXPECT_EQ(classify(U'\x01'), CharClass::separator);
}

// The terms and flags of `text`, without offsets.
std::vector<std::pair<std::string, bool>> term_flags(const std::vector<Term>& terms) {
  std::vector<std::pair<std::string, bool>> out;
  for (const Term& t : terms) out.emplace_back(t.text, t.colocated);
  return out;
}

std::vector<Term> replayed(std::string_view encoded) {
  std::vector<Term> terms;
  EXPECT_TRUE(replay_pretokenized(encoded, [&](const Token& t) {
    terms.push_back({std::string(t.text), t.begin, t.end, t.colocated});
    return true;
  }));
  return terms;
}

TEST(SearchTokenizer, PretokenizedTextReplaysTheDocumentTermsInOrder) {
  for (std::string_view text : {"中华人民共和国宣布 Ｅnglish123 臺灣, nytimes.com", "", "a", "。。。",
                                "特朗普通话 and 共和国 x\xFFy"}) {
    const std::string encoded = pretokenize(text);
    EXPECT_TRUE(is_pretokenized(encoded));
    EXPECT_EQ(term_flags(replayed(encoded)), term_flags(terms_of(text, TokenizeFor::document))) << text;
  }
}

TEST(SearchTokenizer, DictionaryWordsOnlyInTheFirstCharactersOfAText) {
  const std::string word = "中华人民共和国";
  auto words_in = [](const std::string& text) {
    int words = 0;
    for (const Term& t : terms_of(text, TokenizeFor::document)) words += is_dictionary_word(t);
    return words;
  };
  EXPECT_GE(words_in(word), 1);
  // The same word past the reach: bigrams only.
  const std::string far = std::string(kDictionaryReach, 'a') + " " + word;
  EXPECT_EQ(words_in(far), 0);
  EXPECT_EQ(positions_of(far, TokenizeFor::document).size(), 1 + word.size() / 3);
}

TEST(SearchTokenizer, MalformedPretokenizedTextIsRefused) {
  for (std::string_view bad : {"\xFF" "abc", "\xFF" "\x02", "\xFF" "\x02" "ab" "\x03", "abc"})
    EXPECT_FALSE(replay_pretokenized(bad, [](const Token&) { return true; })) << bad;
}

}  // namespace
}  // namespace newsmirror::search
