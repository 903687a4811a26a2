// Stand-ins for long runs of text (clean/text_stand_ins.hpp) must never
// change a parse: every tree parse_fragment and parse_document build is
// compared with the one gumbo builds reading every character, over real
// pages, real archived articles, the XSS corpus with Chinese text put at
// every position of every payload (inside tags, names, values, comments,
// raw text, foreign content, character references), and generated tag soup.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "clean/dom.hpp"
#include "clean/sanitizer.hpp"
#include "clean/text_stand_ins.hpp"
#include "support/paths.hpp"

namespace newsmirror::clean {
namespace {

namespace fs = std::filesystem;

// 36 bytes of Chinese: longer than the shortest run that gets a stand-in.
const std::string kChinese = "新闻自由是民主社会的基石之一";

// Everything a tree holds, node by node, so that two trees compare equal
// only when they are the same tree.
void dump(const Node& node, std::string& out, int depth) {
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
  switch (node.kind) {
    case Node::Kind::root: out += "#root"; break;
    case Node::Kind::text: out += "#text " + nlohmann::json(node.text).dump(); break;
    case Node::Kind::comment: out += "#comment " + nlohmann::json(node.text).dump(); break;
    case Node::Kind::element:
      out += "<" + nlohmann::json(node.tag).dump();
      for (const auto& attribute : node.attributes)
        out += " " + nlohmann::json(attribute.name).dump() + "=" + nlohmann::json(attribute.value).dump();
      break;
  }
  out += '\n';
  for (const auto& child : node.children()) dump(*child, out, depth + 1);
}

std::string dump(const Node& root) {
  std::string out;
  dump(root, out, 0);
  return out;
}

// Both parses of `html` give the same tree; returns whether stand-ins were
// used at all (so that a test can require that it exercised them).
// The sanitizer's proof parses its own output again, with stand-ins for
// ASCII too; that parse must be gumbo's, on the output and on any input.
bool expect_same_parse_of_serialized(const std::string& html, const std::string& what) {
  EXPECT_EQ(dump(*parse_serialized_fragment(html)), dump(*parse_fragment_reading_all_text(html))) << what << "\n"
                                                                                                   << html;
  return TextStandIns::make_for_serialized(html).has_value();
}

bool expect_same_parse(const std::string& html, const std::string& what) {
  const std::string sanitized = sanitize_html(html, {"https://news.example/a.html"});
  expect_same_parse_of_serialized(sanitized, what + ", sanitized");
  expect_same_parse_of_serialized(html, what + ", as it is");
  EXPECT_EQ(dump(*parse_fragment(html)), dump(*parse_fragment_reading_all_text(html))) << what << "\n" << html;
  EXPECT_EQ(dump(*parse_document(html)), dump(*parse_document_reading_all_text(html))) << what << "\n" << html;
  return TextStandIns::make(html).has_value();
}

TEST(TextStandIns, ReplaceLongRunsOfChineseAndRestoreThem) {
  const std::string html = "<p title=\"" + kChinese + "\">" + kChinese + "<b>短</b>" + kChinese + "</p>";
  auto stand_ins = TextStandIns::make(html);
  ASSERT_TRUE(stand_ins);
  EXPECT_LT(stand_ins->html().size(), html.size() / 2) << stand_ins->html();
  EXPECT_NE(stand_ins->html().find("<b>短</b>"), std::string::npos) << "short runs stay: " << stand_ins->html();
  EXPECT_EQ(stand_ins->restore(stand_ins->html()), html);
}

TEST(TextStandIns, ForSerializedMarkupReplaceLongAsciiValuesAndTextToo) {
  const std::string cls(40, 'c');
  const std::string text = "A long English sentence, with commas and more words.";
  const std::string html = "<p class=\"" + cls + "\">" + text + "<br>  " + text + "</p>";
  auto stand_ins = TextStandIns::make_for_serialized(html);
  ASSERT_TRUE(stand_ins);
  EXPECT_TRUE(stand_ins->canonical());
  EXPECT_EQ(stand_ins->html().find(cls), std::string::npos) << stand_ins->html();
  EXPECT_EQ(stand_ins->html().find("sentence"), std::string::npos) << stand_ins->html();
  EXPECT_NE(stand_ins->html().find("<br>  \xEE"), std::string::npos) << "white space before text stays: "
                                                                      << stand_ins->html();
  EXPECT_EQ(stand_ins->restore(stand_ins->html()), html);
  expect_same_parse_of_serialized(html, "plain markup");
}

TEST(TextStandIns, ForSerializedMarkupRefuseWhatASanitizedTreeNeverHolds) {
  const std::string text(40, 'x');
  for (const std::string& html :
       {"<p>" + text + "<!-- c --></p>", "<p>" + text + "<script>" + text + "</script></p>",
        "<p title=" + text + ">" + text + "</p>", "<svg><style>" + text + "</style></svg>",
        "<textarea>" + text + "</textarea>", "<p title='" + text + "'>" + text + "</p>"}) {
    EXPECT_FALSE(TextStandIns::make_for_serialized(html)) << html;
    expect_same_parse_of_serialized(html, "not serialized by the sanitizer");
  }
}

TEST(TextStandIns, AreNotUsedWhereTheTextCouldHoldOneAlready) {
  EXPECT_FALSE(TextStandIns::make("<p>" + kChinese + "\xEE\x80\x80</p>")) << "a private-use character";
  EXPECT_FALSE(TextStandIns::make("<p>" + kChinese + "&#xE000;</p>")) << "a hexadecimal reference";
  EXPECT_FALSE(TextStandIns::make("<p>" + kChinese + "&#57600</p>")) << "a decimal reference, no semicolon";
  EXPECT_TRUE(TextStandIns::make("<p>" + kChinese + "&#xF000;&#12288;</p>")) << "references elsewhere are fine";
  EXPECT_FALSE(TextStandIns::make("<p>short 短文</p>")) << "nothing worth replacing";
}

TEST(TextStandIns, LeaveOutCharactersTheParserReplacesOrFlags) {
  // A noncharacter, a C1 control, a byte order mark, invalid UTF-8 and a
  // lone continuation byte each end a run; what is left is too short.
  for (const std::string odd : {"\xEF\xB7\x90", "\xC2\x85", "\xEF\xBB\xBF", "\xE4\xB8", "\x80"}) {
    const std::string half(kChinese.substr(0, 18));
    const std::string html = "<p>" + half + odd + half + "</p>";
    EXPECT_FALSE(TextStandIns::make(html)) << html;
    expect_same_parse(html, "an odd character between two short runs");
  }
}

// The tree builder compares attributes in one place: past three equal
// formatting elements open at once, the earliest is forgotten (the "Noah's
// Ark" clause), which shows when they are reopened in the next paragraph.
// Equal values must therefore get equal stand-ins.
TEST(TextStandIns, KeepEqualAttributesEqualForTheFormattingElementsTheParserReopens) {
  const std::string b = "<b title=\"" + kChinese + "\">";
  const std::string html = "<p>" + b + b + b + b + "粗</p><p>再</p>";
  EXPECT_TRUE(expect_same_parse(html, "four equal <b>s"));
  const std::string other = "<b title=\"" + kChinese + "了\">";
  EXPECT_TRUE(expect_same_parse("<p>" + b + other + b + b + "粗</p><p>再</p>", "one of them different"));
  // Equal once decoded, spelled differently: "新" as a reference.
  const std::string spelled = "<b title=\"&#x65B0;" + kChinese.substr(3) + "\">";
  expect_same_parse("<p>" + spelled + spelled + spelled + b + "粗</p><p>再</p>", "one spelled with a reference");
  expect_same_parse("<p>" + b + b + b + spelled + "粗</p><p>再</p>", "the last spelled with a reference");
  // Or with a named reference, or with a NUL, which the parser reads as U+FFFD.
  const std::string named = "<b title=\"&nbsp;" + kChinese + "\">";
  const std::string nbsp = "<b title=\"\u00A0" + kChinese + "\">";
  expect_same_parse("<p>" + named + named + named + nbsp + "粗</p><p>再</p>", "one spelled with a named reference");
  const std::string nul = std::string("<b title=\"") + '\0' + kChinese + "\">";
  const std::string replacement = "<b title=\"\uFFFD" + kChinese + "\">";
  expect_same_parse("<p>" + nul + nul + nul + replacement + "粗</p><p>再</p>", "one with a NUL");
  // References to ASCII characters spell no run: such tags are compared
  // through their stand-ins, as links with a query string and a title are.
  const std::string link = "<a href=\"/story?id=1&amp;page=2\" title=\"" + kChinese + "\">";
  const std::string other_link = "<a href=\"/story?id=1&#38;page=2\" title=\"" + kChinese + "\">";
  expect_same_parse("<p>" + link + link + link + other_link + "粗</p><p>再</p>", "links with ASCII references");
}

TEST(TextStandIns, NeverChangeTheParseOfTheXssCorpusWithChineseAtEveryPosition) {
  SKIP_WITHOUT_SHARED();
  std::size_t cases = 0, with_stand_ins = 0, serialized = 0;
  for (const char* file : {"dompurify.jsonl", "h5sc.jsonl", "owasp.jsonl"}) {
    std::ifstream in(test::shared_dir() / "corpus" / "xss" / file);
    ASSERT_TRUE(in) << file;
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const auto record = nlohmann::json::parse(line);
      const std::string payload = record.at("payload");
      const std::string id = record.at("id");
      // Every byte position of short payloads, a spread of them in long ones.
      const std::size_t step = std::max<std::size_t>(1, payload.size() / 64);
      for (std::size_t at = 0; at <= payload.size(); at += step) {
        const std::string html = payload.substr(0, at) + kChinese + payload.substr(at);
        with_stand_ins += expect_same_parse(html, id + " at " + std::to_string(at));
        serialized += TextStandIns::make_for_serialized(sanitize_html(html, {})).has_value();
        ++cases;
      }
    }
  }
  EXPECT_GT(cases, 10000u);
  EXPECT_GT(with_stand_ins, cases * 9 / 10) << "the corpus must exercise the stand-ins";
  EXPECT_GT(serialized, cases / 5) << "and the sanitized outputs the stand-ins for serialized markup";
}

TEST(TextStandIns, NeverChangeTheParseOfRealPagesAndArchivedArticles) {
  SKIP_WITHOUT_SHARED();
  std::size_t documents = 0, pages = 0;
  // Pages with no run long enough are parsed as they are: only the others
  // are worth the four parses.
  auto check = [&](const fs::path& file) {
    const std::string html = test::read_file(file);
    if (!TextStandIns::make(html)) return;
    expect_same_parse(html, file.string());
    ++documents;
  };
  for (const auto& entry : fs::recursive_directory_iterator(test::shared_dir() / "corpus" / "extract" / "cases"))
    if (entry.path().filename() == "source.html") {
      check(entry.path());
      ++pages;
    }
  for (const auto& entry : fs::recursive_directory_iterator(test::shared_dir() / "corpus" / "archive" / "articles"))
    if (entry.path().extension() == ".md") check(entry.path());
  EXPECT_GT(pages, 100u);
  EXPECT_GT(documents, 60u) << "the Chinese pages and every archived article";
}

// Tag soup made of the pieces that switch the tokenizer and the tree
// builder between states, with Chinese runs wherever they can land.
std::string tag_soup(std::mt19937& random) {
  static const char* const kPieces[] = {
      "<", ">", "</", "<!--", "-->", "--!>", "<!", "<?", "<!DOCTYPE ", " PUBLIC \"", "\"", "'", "=", " ", "\n",
      "\r", "&", "&#", "&#x", "&amp", ";", "<p>", "</p>", "<a href=", "<b>", "</b>", "<table>", "<tr>", "<td>",
      "</table>", "<select>", "<option>", "<textarea>", "</textarea>", "<title>", "</title>", "<script>",
      "</script>", "<style>", "</style>", "<xmp>", "<plaintext>", "<noscript>", "</noscript>", "<iframe>",
      "<svg>", "</svg>", "<math>", "<mi>", "<![CDATA[", "]]>", "<template>", "</template>", "<pre>", "<li>",
      "<form>", "</form>", "<frameset>", "<ruby><rt>", "<h1>", "<div class=\"", "/", "`", "\xC2\xA0", "\xE4\xB8",
      "\xEF\xBF\xBD", "\xF0\x9F\x98\x80", "x", "ABC", "中"};
  std::uniform_int_distribution<std::size_t> piece(0, std::size(kPieces) - 1), length(5, 60), coin(0, 3);
  std::string html;
  for (std::size_t i = 0, n = length(random); i < n; ++i)
    html += coin(random) == 0 ? kChinese : std::string(kPieces[piece(random)]);
  return html;
}

TEST(TextStandIns, NeverChangeTheParseOfGeneratedTagSoup) {
  std::mt19937 random(20261207);
  std::size_t with_stand_ins = 0;
  constexpr int kCases = 3000;
  for (int i = 0; i < kCases; ++i) with_stand_ins += expect_same_parse(tag_soup(random), "case " + std::to_string(i));
  EXPECT_GT(with_stand_ins, static_cast<std::size_t>(kCases) * 3 / 4);
}

}  // namespace
}  // namespace newsmirror::clean
