#include "catalog/importer.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "../archive/corpus.hpp"
#include "archive/article_file.hpp"
#include "archive/file_name.hpp"
#include "core/hash.hpp"
#include "core/mirror_layout.hpp"
#include "indexed_ids.hpp"
#include "state/state_db.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"

namespace newsmirror::catalog {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

void write(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}


// Every file under `root` with its SHA-256, to prove nothing was rewritten.
std::map<std::string, std::string> fingerprint(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out[fs::relative(e.path(), root).string()] = core::sha256_hex(archive::test::read_bytes(e.path()));
  return out;
}

using test::search_ids;

// A mirror folder holding a copy of the real classic sample (../shared is
// read-only, and the catalog lives inside the mirror).
void copy_real_archive(const fs::path& to) {
  fs::copy(archive::test::corpus_dir() / "articles", to / "articles", fs::copy_options::recursive);
  for (const auto& e : fs::recursive_directory_iterator(to))
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
}

// Each site's numbering in a real state database, as the CLI wires it (the
// sites here are named as their folders).
struct Sequence {
  explicit Sequence(const fs::path& mirror) : db(test::opened(state::StateDb::open(mirror))) {}
  void wire(ImportOptions& options) {
    options.reserve_number = [this](std::string_view site) -> core::Result<std::uint64_t> {
      auto seq = db->reserve_site_sequence(site, 1);
      if (!seq) return seq.error();
      return archive::article_number(*seq);
    };
    options.keep_number = [this](std::string_view site, std::uint64_t number) {
      return db->raise_site_sequence(site, archive::sequence_of_number(number));
    };
  }
  std::unique_ptr<state::StateDb> db;
};

std::string ascii_name(std::string_view site) {
  return site == "BBC" ? "bbc" : site == "法广" ? "rfi" : "voa";
}

std::string article_bytes(std::uint64_t i, std::string_view site) {
  archive::ArticleRecord r;
  r.published = core::TimePoint(std::chrono::milliseconds(1600000000000 + static_cast<std::int64_t>(i) * 60000));
  r.title = "第" + std::to_string(i) + "号新闻：台湾与日本 word" + std::to_string(i);
  r.link = "https://example.com/" + ascii_name(site) + "/" + std::to_string(i);
  r.html = "<p>第" + std::to_string(i) + "段正文，关于选举和经济的报道。</p><p>token" + std::to_string(i) +
           " appears once.</p>";
  return archive::render_article(r);
}

// `count` articles over three sites, in the shapes real mirrors hold:
// every 7th without a title in its name, every 11th with CRLF, every 13th
// without the time line, every 17th with its HTML over several lines.
void generate_archive(const fs::path& mirror, std::size_t count) {
  const char* sites[] = {"法广", "BBC", "美国之音"};
  for (std::size_t i = 1; i <= count; ++i) {
    const std::string site = sites[i % 3];
    std::string bytes = article_bytes(i, site);
    if (i % 13 == 0) bytes.erase(0, bytes.find('\n') + 1);
    if (i % 17 == 0) {
      auto p = bytes.find("</p><p>");
      bytes.replace(p, 7, "</p>\n    <p>");
    }
    if (i % 11 == 0) {
      std::string crlf;
      for (char c : bytes) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
      bytes = crlf;
    }
    const auto number = archive::article_number(i);
    const std::string name = i % 7 == 0 ? archive::article_file_name(number, std::nullopt)
                                        : archive::article_file_name(number, "第" + std::to_string(i) + "号新闻");
    write(mirror / "articles" / site / name, bytes);
  }
}

// A mirror folder, its catalog (opened on first use, after whatever the
// test puts in place) and the options that import into it.
class Import : public ::testing::Test {
 protected:
  Import() { options_.mirror = mirror_.path(); }

  Catalog& catalog() {
    if (!catalog_) catalog_ = test::opened(Catalog::open(mirror_.path()));
    return *catalog_;
  }
  core::Result<ImportReport> import() { return import_articles(catalog(), options_); }

  TempDir mirror_;
  ImportOptions options_;

 private:
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(Import, CatalogsTheRealArchiveWithoutTouchingIt) {
  SKIP_WITHOUT_SHARED();
  copy_real_archive(mirror_.path());
  const auto before = fingerprint(mirror_.path() / "articles");
  auto report = import();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->files, 69u);
  EXPECT_EQ(report->added, 69u);
  for (const auto& f : report->failures) ADD_FAILURE() << f.path << ": " << f.reason;
  EXPECT_EQ(catalog().article_count(), 69u);
  EXPECT_EQ(fingerprint(mirror_.path() / "articles"), before);

  // Titles with backslashes, quotes and full-width punctuation, as line 2 has them.
  auto bbc = catalog().find_by_file(
      "articles/BBC/1047474_中国品牌\\“囚爱\\“男性贞操锁安全隐患曝光：黑客或可远程锁定.md");
  ASSERT_TRUE(bbc);
  EXPECT_NE(bbc->title.find("\\“囚爱\\“"), std::string::npos) << bbc->title;
  EXPECT_EQ(bbc->number, 1047474u);
  EXPECT_EQ(bbc->language, "zh-Hans");
  // `<N>.md` files and numbers used twice.
  auto untitled = catalog().find_by_number("BBC", 1047443);
  ASSERT_EQ(untitled.size(), 1u);
  EXPECT_FALSE(untitled[0].title.empty());
  EXPECT_EQ(catalog().find_by_number("中国数字时代", 392440).size(), 2u);
  // Every article's first version is its file's HTML.
  for (const auto& path : archive::test::corpus_articles()) {
    auto file = "articles/" + path.parent_path().filename().string() + "/" + path.filename().string();
    auto article = catalog().find_by_file(file);
    ASSERT_TRUE(article) << file;
    auto html = catalog().version_html(article->current_version);
    ASSERT_TRUE(html.ok());
    EXPECT_EQ(*html, archive::flatten_html(archive::read_article(archive::test::read_bytes(path))->html)) << file;
  }
  EXPECT_FALSE(search_ids(mirror_.path(), "特朗普").empty());
}

TEST_F(Import, RunningAgainImportsNothingNew) {
  SKIP_WITHOUT_SHARED();
  copy_real_archive(mirror_.path());
  ASSERT_TRUE(import().ok());
  auto again = import();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->files, 69u);
  EXPECT_EQ(again->added, 0u);
  EXPECT_EQ(again->changed, 0u);
  EXPECT_EQ(again->unchanged, 69u);
  EXPECT_EQ(catalog().article_count(), 69u);
}

TEST_F(Import, AFileEditedSinceBecomesASecondVersionAndATouchedOneDoesNot) {
  generate_archive(mirror_.path(), 30);
  ASSERT_TRUE(import().ok());

  const auto edited = mirror_.path() / "articles" / "BBC" / archive::article_file_name(archive::article_number(1), "第1号新闻");
  const auto touched = mirror_.path() / "articles" / "法广" / archive::article_file_name(archive::article_number(3), "第3号新闻");
  std::string bytes = archive::test::read_bytes(edited);
  bytes.replace(bytes.find("appears once"), 12, "was corrected");
  write(edited, bytes);
  write(touched, archive::test::read_bytes(touched) + "");  // same bytes, new mtime
  fs::last_write_time(touched, fs::last_write_time(touched) + std::chrono::seconds(5));

  auto report = import();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->changed, 1u);
  EXPECT_EQ(report->added, 0u);
  EXPECT_EQ(report->unchanged, 29u);
  auto article = catalog().find_by_file("articles/BBC/" + edited.filename().string());
  ASSERT_TRUE(article);
  EXPECT_EQ(catalog().versions(article->id).size(), 2u);
  EXPECT_EQ(catalog().versions(catalog().find_by_file("articles/法广/" + touched.filename().string())->id).size(), 1u);
  EXPECT_EQ(search_ids(mirror_.path(), "corrected"), std::vector<std::int64_t>{article->id});
}

TEST_F(Import, AnUnreadableFileIsReportedWithItsReasonAndTheRestGoesOn) {
  generate_archive(mirror_.path(), 10);
  write(mirror_.path() / "articles" / "BBC" / "1000_坏文件.md", "just some text\nwithout a title line\n");
  write(mirror_.path() / "articles" / "BBC" / "1001.md", "");
  auto report = import();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->added, 10u);
  ASSERT_EQ(report->failures.size(), 2u);
  std::map<std::string, std::string> reasons;
  for (const auto& f : report->failures) reasons[f.path.filename().string()] = f.reason;
  EXPECT_NE(reasons["1000_坏文件.md"].find("title"), std::string::npos) << reasons["1000_坏文件.md"];
  EXPECT_EQ(reasons["1001.md"], "empty file");
}

TEST_F(Import, ReadsEveryShapeOfAGeneratedArchive) {
  const std::size_t count = 5000;
  generate_archive(mirror_.path(), count);
  auto report = import();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->added, count);
  EXPECT_TRUE(report->failures.empty());
  EXPECT_EQ(catalog().article_count(), count);
  // One of each shape, found by its unique word.
  for (std::uint64_t i : {7u, 11u, 13u, 17u, 4999u}) {
    auto ids = search_ids(mirror_.path(), "token" + std::to_string(i));
    ASSERT_EQ(ids.size(), 1u) << i;
    auto article = catalog().find(ids[0]);
    EXPECT_EQ(article->number, archive::article_number(i));
    EXPECT_EQ(article->link, "https://example.com/" + ascii_name(article->site) + "/" + std::to_string(i));
    EXPECT_EQ(article->published.has_value(), i % 13 != 0) << i;
    EXPECT_EQ(article->title, "第" + std::to_string(i) + "号新闻：台湾与日本 word" + std::to_string(i));
  }
}

TEST_F(Import, OnlyOneSiteWithSite) {
  generate_archive(mirror_.path(), 30);
  options_.site = "BBC";
  auto report = import();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->added, 10u);
  EXPECT_EQ(catalog().sites(), std::vector<std::string>{"BBC"});
  options_.site = "CNN";
  auto missing = import();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::usage);
  EXPECT_NE(missing.error().message.find("CNN"), std::string::npos);
}

TEST_F(Import, CopiesAnotherMirrorKeepingNamesAndRenumberingCollisions) {
  TempDir other;
  // The mirror already has BBC number N(1) with other content.
  write(mirror_.path() / "articles" / "BBC" / archive::article_file_name(archive::article_number(1), "本地文章"),
        article_bytes(900, "BBC"));
  generate_archive(other.path(), 9);
  const auto source_files = fingerprint(other.path() / "articles");
  Sequence sequence(mirror_.path());
  ASSERT_TRUE(sequence.db->raise_site_sequence("BBC", 100).ok());
  options_.source = other.path();
  sequence.wire(options_);

  auto report = import();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->files, 9u);
  EXPECT_EQ(report->copied, 9u);
  EXPECT_EQ(report->added, 9u);
  ASSERT_EQ(report->renamed.size(), 1u);
  // The colliding copy got the next free number and kept its title part.
  const std::string renamed =
      "articles/BBC/" + archive::article_file_name(archive::article_number(101), "第1号新闻");
  EXPECT_EQ(report->renamed[0].to, renamed);
  EXPECT_EQ(report->renamed[0].from.filename(), archive::article_file_name(archive::article_number(1), "第1号新闻"));
  EXPECT_EQ(archive::test::read_bytes(mirror_.path() / renamed), archive::test::read_bytes(report->renamed[0].from));
  // Every other file is there under its own name, byte for byte.
  for (const auto& [file, hash] : source_files) {
    if (fs::path(file).filename() == report->renamed[0].from.filename()) continue;
    EXPECT_EQ(core::sha256_hex(archive::test::read_bytes(mirror_.path() / "articles" / file)), hash) << file;
  }
  EXPECT_EQ(catalog().article_count(), 10u);
  EXPECT_EQ(fingerprint(other.path() / "articles"), source_files) << "the source was modified";

  auto again = import();
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->copied, 0u);
  EXPECT_EQ(again->already_present, 9u);
  EXPECT_TRUE(again->renamed.empty());
  EXPECT_EQ(catalog().article_count(), 10u);
}

TEST_F(Import, CopiesASiteFolderIntoTheNamedSite) {
  TempDir other;
  generate_archive(other.path(), 9);
  Sequence sequence(mirror_.path());
  options_.source = other.path() / "articles" / "法广";
  options_.site = "RFI";
  sequence.wire(options_);
  auto report = import();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->copied, 3u);
  EXPECT_EQ(catalog().sites(), std::vector<std::string>{"RFI"});
  EXPECT_TRUE(fs::exists(mirror_.path() / "articles" / "RFI" /
                         archive::article_file_name(archive::article_number(3), "第3号新闻")));
  // Copies keep their numbers, so the site's new articles must be numbered
  // past them (below the smallest: 法广's files were 3, 6 and 9).
  EXPECT_EQ(sequence.db->last_site_sequence("RFI"), 9u);
  EXPECT_EQ(sequence.db->last_site_sequence("法广"), 0u) << "numbering is per site";
}

TEST(Reindex, RebuildsTheSameCatalogFromTheFilesAlone) {
  TempDir mirror;
  generate_archive(mirror.path(), 200);
  ImportOptions options;
  options.mirror = mirror.path();
  {
    auto catalog = test::opened(Catalog::open(mirror.path()));
    ASSERT_TRUE(import_articles(*catalog, options).ok());
  }
  fs::remove(core::layout::catalog_db(mirror.path()));
  auto report = rebuild_catalog(options);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->added, 200u);
  EXPECT_FALSE(fs::exists(core::layout::catalog_db(mirror.path()).string() + ".rebuild"));
  auto catalog = test::opened(Catalog::open(mirror.path()));
  EXPECT_EQ(catalog->article_count(), 200u);
  EXPECT_EQ(search_ids(mirror.path(), "token150").size(), 1u);
}

TEST(Reindex, ReplacesACatalogThatIsOpenElsewhere) {
  TempDir mirror;
  generate_archive(mirror.path(), 20);
  ImportOptions options;
  options.mirror = mirror.path();
  auto old = test::opened(Catalog::open(mirror.path()));
  ASSERT_TRUE(import_articles(*old, options).ok());
  generate_archive(mirror.path(), 25);
  auto report = rebuild_catalog(options);
  ASSERT_TRUE(report.ok()) << report.error().message;
  auto fresh = test::opened(Catalog::open(mirror.path()));
  EXPECT_EQ(fresh->article_count(), 25u);
}

}  // namespace
}  // namespace newsmirror::catalog
