#include "search/query.hpp"

#include <gtest/gtest.h>

#include "search/tokenizer.hpp"

namespace newsmirror::search {
namespace {

std::string match_of(std::string_view text) {
  auto parsed = parse_query(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed->match : std::string();
}

const std::string W(kWordMarker);

TEST(SearchQuery, WordsAreQuotedAndAnded) {
  EXPECT_EQ(match_of("trump biden"), R"("trump" AND "biden")");
}

TEST(SearchQuery, LongerChineseRunsAlsoAskForTheDictionaryWord) {
  EXPECT_EQ(match_of("习近平"), "(\"习近平\" OR \"" + W + "习近平\")");
  EXPECT_EQ(match_of("台湾"), "\"台湾\"");  // its bigram is the word
}

TEST(SearchQuery, LoneChineseCharacterIsAPlainTermNotAPrefix) {
  // Documents index single characters where a query needs them
  // (tokenizer.hpp); a prefix would merge every bigram it starts.
  EXPECT_EQ(match_of("中"), "\"中\"");
  EXPECT_EQ(match_of("COVID疫"), "\"COVID疫\"");
}

std::vector<int> tails_of(std::string_view text) {
  auto parsed = parse_query(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? parsed->phrase_tails : std::vector<int>{};
}

TEST(SearchQuery, PhraseTailsSayHowFarPastItsLastPositionEachPhraseReaches) {
  EXPECT_EQ(tails_of("trump"), std::vector<int>{0});
  EXPECT_EQ(tails_of("中"), std::vector<int>{0});
  EXPECT_EQ(tails_of("中国"), std::vector<int>{1});  // the bigram's 国
  EXPECT_EQ(tails_of("60年"), std::vector<int>{0});
  // The phrase of bigrams, then the dictionary word's two more characters.
  EXPECT_EQ(tails_of("习近平"), (std::vector<int>{1, 2}));
  // In the expression's order: excluded phrases come last.
  EXPECT_EQ(tails_of("-中国 a 中"), (std::vector<int>{0, 0, 1}));
}

TEST(SearchQuery, QuotedPhrasesStayOneTerm) {
  EXPECT_EQ(match_of("\"white house\" trump"), R"("white house" AND "trump")");
  EXPECT_EQ(match_of("“white house”"), R"("white house")");
  EXPECT_EQ(match_of("\"unterminated phrase"), R"("unterminated phrase")");
}

TEST(SearchQuery, MinusExcludes) {
  EXPECT_EQ(match_of("trump -biden -\"white house\""), R"(("trump") NOT ("biden" OR "white house"))");
  EXPECT_EQ(match_of("a - b"), R"("a" AND "b")");
}

TEST(SearchQuery, TitlePrefixLimitsToTitles) {
  EXPECT_EQ(match_of("title:trump"), R"(title : "trump")");
  EXPECT_EQ(match_of("Title：\"white house\""), R"(title : "white house")");
  EXPECT_EQ(match_of("-title:trump x"), R"(("x") NOT (title : "trump"))");
}

TEST(SearchQuery, SitePrefixIsAFilterNotATerm) {
  auto parsed = parse_query("site:BBC 台湾");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->site, "BBC");
  EXPECT_EQ(parsed->required_terms, std::vector<std::string>{"台湾"});
  EXPECT_EQ(parse_query("site:BBC site:法广 x").error().kind, core::ErrorKind::usage);
  EXPECT_EQ(parse_query("-site:BBC x").error().kind, core::ErrorKind::usage);
  EXPECT_EQ(parse_query("site: x").error().kind, core::ErrorKind::usage);
}

TEST(SearchQuery, Fts5SyntaxInUserTextIsJustText) {
  EXPECT_EQ(match_of("a\"b"), R"("a""b")");
  EXPECT_EQ(match_of("NEAR(a b) OR c*"), R"x("NEAR(a" AND "b)" AND "OR" AND "c*")x");
  EXPECT_EQ(match_of("x\x01y"), R"("x" AND "y")");
}

TEST(SearchQuery, TermsWithoutLettersAreDropped) {
  EXPECT_EQ(match_of("trump !!! ，"), R"("trump")");
}

TEST(SearchQuery, NothingToLookForIsAUsageError) {
  for (const char* text : {"", "   ", "!!! ？", "-trump", "site:BBC", "\"\""}) {
    auto parsed = parse_query(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().kind, core::ErrorKind::usage) << text;
  }
}

TEST(SearchQuery, FullWidthSpaceSeparatesTerms) {
  EXPECT_EQ(match_of("trump\u3000biden"), R"("trump" AND "biden")");
}

}  // namespace
}  // namespace newsmirror::search
