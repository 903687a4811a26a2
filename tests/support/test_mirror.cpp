#include "support/test_mirror.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "assets/image_store.hpp"
#include "config/config.hpp"
#include "support/database.hpp"

namespace newsmirror::test {

namespace {

core::TimePoint at(std::int64_t ms) { return core::TimePoint(std::chrono::milliseconds(ms)); }

// A 1x1 PNG.
const std::string kPng(
    "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\r"
    "IDATx\x9c" "c\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xae" "B`\x82",
    67);

catalog::NewArticle article(std::string site, int number, std::string title, std::string html,
                            std::int64_t published_ms) {
  catalog::NewArticle a;
  a.site = site;
  a.file = "articles/" + site + "/" + std::to_string(number) + "_" + title + ".md";
  a.number = static_cast<std::uint64_t>(number);
  a.identity = "guid:" + site + "\x1f" + std::to_string(number);
  a.title = title;
  a.link = "https://example.com/" + std::to_string(number);
  a.published = at(published_ms);
  a.html = std::move(html);
  a.fetched_at = at(published_ms + 60000);
  return a;
}

}  // namespace

catalog::NewArticle extra_article(int number, std::int64_t ms) {
  return article("法广", number, "新文章" + std::to_string(number),
                 "<p>第" + std::to_string(number) + "篇新文章，关于台湾的报道。</p>", ms);
}

TestMirror make_test_mirror(const std::filesystem::path& dir) {
  TestMirror mirror{dir, {}};
  auto config = config::default_config();
  config.sources.resize(2);
  EXPECT_TRUE(config::save_config(config::config_path(dir), config).ok());

  auto stored = assets::store_image(dir, kPng, "png");
  EXPECT_TRUE(stored.ok());
  mirror.image_path = *stored;

  auto catalog = opened(catalog::Catalog::open(dir));
  constexpr std::int64_t kNov2026 = 1795000000000;  // 2026-11-18
  constexpr std::int64_t kOct2026 = 1792000000000;  // 2026-10-14
  std::vector<catalog::NewArticle> articles = {
      article("法广", 1001, "米利访日：美国需要加快向台湾交付武器",
              "<p>美国参谋长联席会议主席米利说，台湾需要更快的武器交付。</p>"
              "<figure><img src=\"../../" + mirror.image_path + "\" alt=\"米利\"></figure>",
              kNov2026),
      article("法广", 1002, "习近平会见外国领导人", "<p>习近平周二在北京会见来访的领导人。</p>",
              kNov2026 - 3600000),
      article("法广", 990, "十月的旧闻", "<p>这是十月份的一篇报道，谈到经济。</p>", kOct2026),
      article("BBC", 2001, "臺灣選舉觀察", "<p>臺灣的選舉即將舉行，選民關心經濟與兩岸關係。</p>",
              kNov2026 - 7200000),
      article("BBC", 2002, "Storm hits the coast", "<p>A storm hit the coast on Tuesday.</p>",
              kOct2026 + 86400000),
      article("美国之音", 3001, "标题里有#号和?问号 100%", "<p>文件名里有特殊字符的文章。</p>",
              kNov2026 - 86400000),
  };
  for (const auto& a : articles) {
    auto id = catalog->record_new_article(a);
    EXPECT_TRUE(id.ok()) << id.error().message;
  }
  // The first article was edited twice.
  auto first = catalog->find_by_file(articles[0].file);
  for (int edit = 1; edit <= 2; ++edit) {
    auto changed = catalog->record_version(
        first->id, articles[0].html + "<p>更新" + std::to_string(edit) + "：补充了细节。</p>",
        at(kNov2026 + edit * 3600000));
    EXPECT_TRUE(changed.ok() && *changed);
  }
  return mirror;
}

}  // namespace newsmirror::test
