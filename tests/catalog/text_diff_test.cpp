#include "catalog/text_diff.hpp"

#include <gtest/gtest.h>

#include <random>

namespace newsmirror::catalog {
namespace {

std::string joined(const std::vector<std::string_view>& tokens, std::string_view sep = "|") {
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += sep;
    out += tokens[i];
  }
  return out;
}

// Applying the edits must give back both texts: equal + remove = before,
// equal + insert = after.
void expect_consistent(std::string_view before, std::string_view after, const std::vector<Edit>& edits) {
  std::string a, b;
  for (const auto& e : edits) {
    if (e.op != EditOp::insert) a += e.text;
    if (e.op != EditOp::remove) b += e.text;
  }
  EXPECT_EQ(a, before);
  EXPECT_EQ(b, after);
  for (std::size_t i = 1; i < edits.size(); ++i) {
    EXPECT_FALSE(edits[i].op == edits[i - 1].op) << "adjacent runs share an op at " << i;
    EXPECT_FALSE(edits[i].op == EditOp::remove && edits[i - 1].op == EditOp::insert)
        << "an insertion comes before its removal at " << i;
  }
}

std::string plain(std::string_view before, std::string_view after) {
  DiffStyle style;
  style.context = -1;
  return render_diff(diff_text(before, after), style);
}

TEST(TextDiff, TokensAreWordsSpacesPunctuationAndSingleCjkCharacters) {
  EXPECT_EQ(joined(diff_tokens("Hello,  world 42!")), "Hello|,|  |world| |42|!");
  EXPECT_EQ(joined(diff_tokens("台湾空军2020年")), "台|湾|空|军|2020|年");
  EXPECT_EQ(joined(diff_tokens("习近平：“共同”")), "习|近|平|：|“|共|同|”");
  EXPECT_EQ(joined(diff_tokens("café naïve")), "café| |naïve");
}

TEST(TextDiff, InvalidUtf8BytesAreTokensOfTheirOwn) {
  const std::string text = "ab\xff\xfe" "cd";
  auto tokens = diff_tokens(text);
  EXPECT_EQ(joined(tokens, ""), text);
  EXPECT_EQ(tokens.size(), 4u);
}

TEST(TextDiff, MarksAChangedWord) {
  EXPECT_EQ(plain("the quick brown fox", "the slow brown fox"), "the [-quick-]{+slow+} brown fox");
}

TEST(TextDiff, MarksInsertionsAndDeletionsAlone) {
  EXPECT_EQ(plain("a b c", "a b x c"), "a b {+x +}c");
  EXPECT_EQ(plain("a b x c", "a b c"), "a b [-x -]c");
}

TEST(TextDiff, ChineseIsComparedCharacterByCharacter) {
  EXPECT_EQ(plain("美国会已收到对台军售3项通知", "美国会已收到对台军售5项通知"),
            "美国会已收到对台军售[-3-]{+5+}项通知");
  EXPECT_EQ(plain("北约提议重拟战略", "北约正式提议重拟战略"), "北约{+正式+}提议重拟战略");
}

TEST(TextDiff, EqualTextsHaveOneEqualRunAndRenderEmpty) {
  auto edits = diff_text("same text", "same text");
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0].op, EditOp::equal);
  EXPECT_EQ(render_diff(edits, DiffStyle{}), "");
  EXPECT_TRUE(diff_text("", "").empty());
}

TEST(TextDiff, FromAndToEmpty) {
  EXPECT_EQ(plain("", "new words"), "{+new words+}");
  EXPECT_EQ(plain("old words", ""), "[-old words-]");
}

TEST(TextDiff, ScriptIsMinimalOnAClassicExample) {
  // Myers' paper: ABCABBA -> CBABAC has edit distance 5.
  auto edits = diff_text("A B C A B B A", "C B A B A C");
  expect_consistent("A B C A B B A", "C B A B A C", edits);
  std::size_t changed_words = 0;
  for (const auto& e : edits)
    if (e.op != EditOp::equal)
      for (auto t : diff_tokens(e.text)) changed_words += t != " ";
  EXPECT_EQ(changed_words, 5u);
}

TEST(TextDiff, RandomEditsReproduceBothTextsAndStayShort) {
  std::mt19937 random(7);
  const char* words[] = {"a", "b", "c", "中", "国", "x", "y"};
  for (int round = 0; round < 200; ++round) {
    std::string before, after;
    std::size_t edits_made = 0;
    int n = static_cast<int>(random() % 40);
    for (int i = 0; i < n; ++i) {
      std::string word = words[random() % 7];
      std::string sep = random() % 3 ? " " : ",";  // never "": "a"+"b" would be one token
      before += word + sep;
      switch (random() % 6) {
        case 0: ++edits_made; break;                                    // deleted
        case 1: after += std::string(words[random() % 7]) + " " + word + sep; ++edits_made; break;
        default: after += word + sep;
      }
    }
    auto edits = diff_text(before, after);
    expect_consistent(before, after, edits);
    std::size_t changed = 0;
    for (const auto& e : edits)
      if (e.op != EditOp::equal) changed += diff_tokens(e.text).size();
    // Every edit above touches at most 2 tokens; a minimal script is no longer.
    EXPECT_LE(changed, 2 * edits_made) << before << " -> " << after;
  }
}

TEST(TextDiff, ContextCutsLongUnchangedStretches) {
  std::string head(100, 'h'), middle(100, 'm'), tail(100, 't');
  std::string before = head + " one " + middle + " two " + tail;
  std::string after = head + " 1 " + middle + " 2 " + tail;
  DiffStyle style;
  style.context = 5;
  EXPECT_EQ(render_diff(diff_text(before, after), style),
            "…hhhh [-one-]{+1+} mmmm\n…\nmmmm [-two-]{+2+} tttt…");
}

TEST(TextDiff, StyleMarkersAreConfigurable) {
  DiffStyle style;
  style.remove_open = "<";
  style.remove_close = ">";
  style.insert_open = "(";
  style.insert_close = ")";
  EXPECT_EQ(render_diff(diff_text("a b", "a c"), style), "a <b>(c)");
}

}  // namespace
}  // namespace newsmirror::catalog
