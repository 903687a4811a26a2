// The static site of the real archive plus every payload of the XSS corpus
// imported as an article, each page opened in headless Chromium by the
// corpus's own checker. The archive keeps whatever bytes came (an adopted
// mirror, an import, `clean = false`): a real article loads Twitter's
// widgets.js, and an imported <script> once ran from a built page. The
// renderer sanitizes what it shows, so no page may run a script or send a
// script-issued request anywhere.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "archive/article_file.hpp"
#include "site/safe_content.hpp"
#include "support/cli.hpp"
#include "support/paths.hpp"
#include "support/shared_tool.hpp"

namespace newsmirror::site {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The corpus's payloads as article files of a site "xss" in `folder`, each
// linking to a `javascript:` URL as a hostile feed's item could.
std::size_t write_payload_articles(const fs::path& folder) {
  fs::create_directories(folder / "articles" / "xss");
  std::size_t count = 0;
  for (const char* file : {"dompurify.jsonl", "h5sc.jsonl", "owasp.jsonl"}) {
    std::ifstream in(test::shared_dir() / "corpus" / "xss" / file);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      auto record = nlohmann::json::parse(line);
      archive::ArticleRecord article;
      article.title = "payload " + record["id"].get<std::string>();
      article.link = count % 2 ? "javascript:alert(" + std::to_string(count) + ")" : "https://news.example/" + std::to_string(count);
      article.html = record["payload"].get<std::string>();
      article.published = core::TimePoint(std::chrono::seconds(1700000000 + count));
      std::ofstream(folder / "articles" / "xss" / (std::to_string(1048574 - count) + ".md"), std::ios::binary)
          << archive::render_article(article);
      ++count;
    }
  }
  return count;
}

TEST(SiteXssCheck, NoPageOfTheRealArchiveAndTheImportedXssCorpusRunsAScriptInChromium) {
  SKIP_WITHOUT_SHARED();
  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "no /usr/bin/chromium";
  test::TempDir work;
  const fs::path mirror = work.path() / "mirror";
  fs::copy(test::shared_dir() / "corpus" / "archive", mirror, fs::copy_options::recursive);
  auto init = test::run_newsmirror(work.path(), {"--quiet", "init", mirror.string()});
  ASSERT_EQ(init.status, 0) << init.err;
  const std::size_t payloads = write_payload_articles(work.path() / "other");
  ASSERT_GT(payloads, 300u);
  auto imported = test::run_newsmirror(work.path(), {"--quiet", "--mirror", mirror.string(), "import",
                                                     (work.path() / "other").string()});
  ASSERT_EQ(imported.status, 0) << imported.err;
  const fs::path site = work.path() / "site";
  auto build = test::run_newsmirror(work.path(), {"--quiet", "--mirror", mirror.string(), "build", "--out",
                                                  site.string()});
  ASSERT_EQ(build.status, 0) << build.err;

  // Every page, as the checker's cases; and what can be checked without a
  // browser: each carries the policy, and no link to the original is a script.
  const fs::path cases = work.path() / "pages.jsonl";
  std::ofstream out(cases);
  std::size_t pages = 0;
  for (const auto& entry : fs::recursive_directory_iterator(site)) {
    if (entry.path().extension() != ".html") continue;
    std::string html = read_all(entry.path());
    EXPECT_NE(html.find(std::string(kMetaPagePolicy)), std::string::npos) << entry.path();
    EXPECT_EQ(html.find("href=\"javascript:"), std::string::npos) << entry.path();
    out << nlohmann::json{{"id", fs::relative(entry.path(), site).generic_string()}, {"payload", html}}.dump()
        << '\n';
    ++pages;
  }
  out.close();
  ASSERT_GT(pages, payloads) << "every payload has its page, and the real archive its own";

  // The checker sanitizes each case with a command first: `cat` leaves the
  // built page as it is.
  auto run = test::run_shared_tool("xss-check", {"--sanitizer", "cat", cases.string()});
  std::smatch counts;
  ASSERT_TRUE(std::regex_match(run.last_line, counts,
                               std::regex(R"(executed: (\d+) of (\d+), unfinished: (\d+), sanitizer errors: (\d+))")))
      << run.output;
  EXPECT_EQ(counts[1], "0") << run.output;
  EXPECT_EQ(std::stoul(counts[2]), pages) << run.output;
  EXPECT_EQ(counts[3], "0") << run.output;
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

}  // namespace
}  // namespace newsmirror::site
