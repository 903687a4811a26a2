#include "clean/site_rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "archive/article_file.hpp"
#include "config/config.hpp"
#include "support/paths.hpp"

namespace newsmirror::clean {
namespace {

// --- apply() on small trees ---

CompiledRules compiled(SiteRules rules) {
  auto result = compile(rules);
  EXPECT_TRUE(result) << result.error().message;
  return result ? std::move(*result) : CompiledRules{};
}

std::string cleaned(std::string_view html, SiteRules rules, RulesOutcome* outcome = nullptr) {
  auto root = parse_fragment(html);
  auto result = apply(*root, compiled(std::move(rules)));
  if (outcome) *outcome = result;
  return serialize_children(*root);
}

TEST(SiteRules, RemoveDeletesEveryMatchOfEverySelector) {
  RulesOutcome outcome;
  EXPECT_EQ(cleaned("<p>a</p><div class=ad>x</div><p>b<span class=share>s</span></p><div class=ad>y</div>",
                    {.remove = {".ad", ".share"}}, &outcome),
            "<p>a</p><p>b</p>");
  EXPECT_EQ(outcome.removed, 3u);
  EXPECT_EQ(outcome.keep, KeepOutcome::no_keep_rule);
}

TEST(SiteRules, RemoveCountsNestedMatchesOnce) {
  RulesOutcome outcome;
  EXPECT_EQ(cleaned("<div class=promo><div class=promo>x</div></div><p>a</p>", {.remove = {".promo", "div"}},
                    &outcome),
            "<p>a</p>");
  EXPECT_EQ(outcome.removed, 1u);
}

TEST(SiteRules, RemoveSelectorsAllSeeTheArticleBeforeAnyDeletion) {
  // The <hr> rule looks at the promo the other rule deletes; order must not matter.
  std::string_view html = "<p>a</p><hr><div><a href='https://feedx.net'>f</a></div>";
  EXPECT_EQ(cleaned(html, {.remove = {"div:has(> a)", "hr:has(+ div > a)"}}), "<p>a</p>");
  EXPECT_EQ(cleaned(html, {.remove = {"hr:has(+ div > a)", "div:has(> a)"}}), "<p>a</p>");
}

TEST(SiteRules, KeepKeepsOnlyTheOutermostMatchesInOrder) {
  RulesOutcome outcome;
  EXPECT_EQ(cleaned("<header>h</header><div class=body>one<div class=body>two</div></div><aside>x</aside>"
                    "<div class=body>three</div>",
                    {.keep = ".body"}, &outcome),
            "<div class=\"body\">one<div class=\"body\">two</div></div><div class=\"body\">three</div>");
  EXPECT_EQ(outcome.keep, KeepOutcome::kept);
}

TEST(SiteRules, KeepOfParagraphsKeepsThemParagraphs) {
  EXPECT_EQ(cleaned("<div><p>a</p><span>x</span><p>b</p></div>", {.keep = "p"}), "<p>a</p><p>b</p>");
}

TEST(SiteRules, KeepThatMatchesNothingLeavesTheArticleWholeAndSaysSo) {
  RulesOutcome outcome;
  EXPECT_EQ(cleaned("<p>a</p><div class=ad>x</div>", {.remove = {".ad"}, .keep = "article"}, &outcome), "<p>a</p>");
  EXPECT_EQ(outcome.keep, KeepOutcome::matched_nothing);
  EXPECT_EQ(outcome.removed, 1u);
}

TEST(SiteRules, RemoveAppliesToWhatKeepKept) {
  EXPECT_EQ(cleaned("<div class=ad>x</div><article><p>a</p><div class=ad>y</div></article>",
                    {.remove = {".ad"}, .keep = "article"}),
            "<article><p>a</p></article>");
}

TEST(SiteRules, NoRulesChangeNothing) {
  RulesOutcome outcome;
  EXPECT_EQ(cleaned("<p>a</p>", {}, &outcome), "<p>a</p>");
  EXPECT_EQ(outcome.removed, 0u);
  EXPECT_EQ(outcome.keep, KeepOutcome::no_keep_rule);
}

TEST(SiteRules, CompileNamesTheKeyAndTheSelector) {
  auto bad_remove = compile({.remove = {".ok", ".a >"}});
  ASSERT_FALSE(bad_remove);
  EXPECT_EQ(bad_remove.error().message, "remove: selector \".a >\": expected a selector after '>' at column 5");
  auto bad_keep = compile({.keep = "p:hover"});
  ASSERT_FALSE(bad_keep);
  EXPECT_TRUE(bad_keep.error().message.starts_with("keep: selector \"p:hover\": unsupported pseudo-class"))
      << bad_keep.error().message;
}

// --- the default rules against the real articles of ../shared ---

struct Article {
  std::string name;
  std::string html;
};

using ::newsmirror::test::read_file;

// A site's sample articles; for 法广 also the golden 2023 article, the one
// that shows RFI's current share block.
std::vector<Article> real_articles(const std::string& site) {
  std::vector<std::filesystem::path> files;
  auto folder = test::shared_dir() / "corpus" / "archive" / "articles" / site;
  if (std::filesystem::is_directory(folder))
    for (const auto& entry : std::filesystem::directory_iterator(folder)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (site == "法广") files.push_back(test::shared_dir() / "golden" / "rfi-article.md");
  std::vector<Article> out;
  for (const auto& file : files) {
    auto record = archive::read_article(read_file(file));
    EXPECT_TRUE(record) << file << ": " << record.error().message;
    if (record) out.push_back({file.filename().string(), record->html});
  }
  return out;
}

// Characters other than white space (including U+3000 and U+00A0, which the
// Chinese sites use for indentation).
std::size_t visible_chars(std::string_view text) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c <= ' ') continue;
    if (text.substr(i, 3) == "\u3000") { i += 2; continue; }
    if (text.substr(i, 2) == "\u00a0") { i += 1; continue; }
    if ((c & 0xC0) != 0x80) ++n;  // count code points, not bytes
  }
  return n;
}

// The text of a node outside its links: a paragraph's own prose.
std::size_t prose_chars(const Node& node) {
  std::size_t n = 0;
  for (const auto& child : node.children()) {
    if (child->kind == Node::Kind::text) n += visible_chars(child->text);
    else if (child->kind == Node::Kind::element && child->tag != "a") n += prose_chars(*child);
  }
  return n;
}

// Paragraphs of body text: <p> elements with at least this much prose of
// their own. Boilerplate paragraphs ("结尾 Twitter 帖子, 1") are shorter;
// related-article titles are all link.
constexpr std::size_t kBodyParagraphChars = 30;

std::vector<std::string> body_paragraphs(Node& root) {
  static const auto p = parse_selector("p");
  std::vector<std::string> out;
  for (Node* node : select_all(root, *p))
    if (prose_chars(*node) >= kBodyParagraphChars) out.push_back(node->text_content());
  return out;
}

// Known boilerplate per site, found in the sample articles: each must occur
// in some article before the rules and in none after.
const std::map<std::string, std::vector<std::string>> kBoilerplate = {
    {"法广", {"data-selfpromo-newsletter", "data-selfpromo-app", "分享 :", "data-root-share",
              "https://www.facebook.com/dialog/share"}},
    {"BBC", {"data-e2e=\"advertisement\"", "dotcom-mpu", "跳过 Twitter 帖子", "结尾 Twitter 帖子",
             "现在可以在BBC iPlayer上观看纪录片", "新冠病毒能在物体表面存活多久", "关于性玩具 九个你不知道的真相"}},
    {"美国之音", {"获取更多RSS", "https://feedx.xyz", "<hr>"}},
    {"德国之声", {"获取更多RSS", "https://feedx.xyz"}},
    {"自由亚洲电台", {"icon-zoom.png", "zoomattribute", "美政府再次警告孔子学院对美国教育体系的恶劣影响",
                      "美国驻联合国代表 推文力挺台湾参与联合国"}},
    {"中国数字时代", {"addtoany", "a2a_button_facebook", "wp-embedded-content", "女泉 | 耽美作者被判十年引发愤怒浪潮"}},
};

TEST(DefaultSiteRules, EverySourceWithRulesHasSampleArticlesAndKnownBoilerplate) {
  SKIP_WITHOUT_SHARED();
  for (const auto& source : config::default_config().sources) {
    if (source.rules == SiteRules{}) continue;
    EXPECT_FALSE(real_articles(source.name).empty()) << source.name << ": rules without sample articles";
    EXPECT_TRUE(kBoilerplate.count(source.name)) << source.name << ": rules without a boilerplate check";
  }
}

TEST(DefaultSiteRules, CutBoilerplateAndKeepTheArticleText) {
  SKIP_WITHOUT_SHARED();
  for (const auto& source : config::default_config().sources) {
    if (source.rules == SiteRules{}) continue;
    SCOPED_TRACE(source.name);
    auto rules = compile(source.rules);
    ASSERT_TRUE(rules) << rules.error().message;
    auto articles = real_articles(source.name);

    std::vector<std::size_t> articles_matched(rules->remove.size(), 0);
    std::vector<bool> boilerplate_seen(kBoilerplate.at(source.name).size(), false);
    std::size_t chars_before = 0, chars_after = 0, paragraphs = 0, removed = 0;
    double worst_ratio = 1.0;
    for (const auto& article : articles) {
      SCOPED_TRACE(article.name);
      auto root = parse_fragment(article.html);
      // (a) which rules find something here, on the untouched article
      for (std::size_t i = 0; i < rules->remove.size(); ++i)
        if (!select_all(*root, rules->remove[i]).empty()) ++articles_matched[i];
      auto before_html = serialize_children(*root);
      // Body text: the characters outside links (related-article lists are
      // all link, so a short article with a long list still counts right).
      auto before_chars = prose_chars(*root);
      auto paragraphs_before = body_paragraphs(*root);

      auto outcome = apply(*root, *rules);
      removed += outcome.removed;
      auto after_html = serialize_children(*root);
      auto after_text = root->text_content();
      auto after_chars = prose_chars(*root);

      // (b) every paragraph of body text is still there, word for word, and
      // most of all the text is
      for (const auto& paragraph : paragraphs_before)
        EXPECT_NE(after_text.find(paragraph), std::string::npos) << "rules cut a body paragraph: " << paragraph;
      paragraphs += paragraphs_before.size();
      chars_before += before_chars;
      chars_after += after_chars;
      if (before_chars > 0) {
        double ratio = static_cast<double>(after_chars) / static_cast<double>(before_chars);
        worst_ratio = std::min(worst_ratio, ratio);
        EXPECT_GE(ratio, 0.8) << after_chars << " of " << before_chars << " characters of body text left";
      }
      // (c) the known boilerplate is gone
      const auto& strings = kBoilerplate.at(source.name);
      for (std::size_t i = 0; i < strings.size(); ++i) {
        if (before_html.find(strings[i]) != std::string::npos) boilerplate_seen[i] = true;
        EXPECT_EQ(after_html.find(strings[i]), std::string::npos) << "still there: " << strings[i];
      }
    }
    for (std::size_t i = 0; i < rules->remove.size(); ++i)
      EXPECT_GT(articles_matched[i], 0u) << "dead rule: " << rules->remove[i].text();
    for (std::size_t i = 0; i < boilerplate_seen.size(); ++i)
      EXPECT_TRUE(boilerplate_seen[i]) << "boilerplate never seen, the check proves nothing: "
                                       << kBoilerplate.at(source.name)[i];
    std::string matched;
    for (std::size_t i = 0; i < rules->remove.size(); ++i)
      matched += " " + std::to_string(articles_matched[i]);
    std::printf("[ rules    ] %s: %zu articles, %zu elements removed, body text kept %zu/%zu chars (%.1f%%, "
                "worst article %.1f%%), %zu body paragraphs all kept; articles matched per rule:%s\n",
                source.name.c_str(), articles.size(), removed, chars_after, chars_before,
                100.0 * static_cast<double>(chars_after) / static_cast<double>(std::max<std::size_t>(chars_before, 1)),
                100.0 * worst_ratio, paragraphs, matched.c_str());
  }
}

// The checks above must be able to fail: a rule that cuts the article body
// is caught by the paragraph check.
TEST(DefaultSiteRules, TheBodyCheckCatchesARuleThatCutsTheArticle) {
  SKIP_WITHOUT_SHARED();
  auto articles = real_articles("法广");
  ASSERT_FALSE(articles.empty());
  auto rules = compile({.remove = {".t-content__body"}});
  ASSERT_TRUE(rules);
  std::size_t cut = 0;
  for (const auto& article : articles) {
    auto root = parse_fragment(article.html);
    auto paragraphs = body_paragraphs(*root);
    apply(*root, *rules);
    auto after = root->text_content();
    for (const auto& paragraph : paragraphs)
      if (after.find(paragraph) == std::string::npos) ++cut;
  }
  EXPECT_GT(cut, 50u);
}

}  // namespace
}  // namespace newsmirror::clean
