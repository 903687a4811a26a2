// Where an import spends its time, stage by stage, on one thread: every
// article file of a classic archive is read into memory first, then each
// stage of cataloging runs over all of them and is timed on its own
// (CPU microseconds per article). The stages are those of
// catalog::prepare_article (run on the import's workers) and the search
// tokenizer; the SQLite writes are timed by bench/catalog.sh as a whole.
//
// Built by CMake with -DNEWSMIRROR_BENCH=ON (target catalog_stages):
//   build-x/bench/catalog_stages ARCHIVE_DIR [MAX_FILES [ONLY_STAGE]]
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "archive/article_file.hpp"
#include "catalog/catalog.hpp"
#include "catalog/compression.hpp"
#include "catalog/language.hpp"
#include "catalog/sqlite_catalog.hpp"
#include "core/hash.hpp"
#include "search/plain_text.hpp"
#include "search/tokenizer.hpp"

namespace {

namespace fs = std::filesystem;
using namespace newsmirror;

// CPU time, not wall time: the machine is shared, and a stage's cost is
// what it takes from a core.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

const char* only_stage = nullptr;  // run just this stage (and what it needs)

double time_stage(const char* name, std::size_t count, const std::function<std::size_t()>& run) {
  if (only_stage && !std::string_view(name).starts_with(only_stage) && std::string_view(name) != "read_article" &&
      std::string_view(name) != "flatten_html" && std::string_view(name) != "visible_text")
    return 0;
  const double start = cpu_seconds();
  std::size_t sink = run();
  const double seconds = cpu_seconds() - start;
  std::printf("%-28s %8.1f us/article  (%zu)\n", name, seconds * 1e6 / static_cast<double>(count), sink);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s ARCHIVE_DIR [MAX_FILES]\n", argv[0]);
    return 2;
  }
  const std::size_t max_files = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 5000;
  if (argc > 3) only_stage = argv[3];
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(argv[1]) / "articles")) {
    if (files.size() >= max_files) break;
    if (!entry.is_regular_file() || entry.path().extension() != ".md") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    files.push_back(bytes.str());
  }
  const std::size_t n = files.size();
  std::printf("%zu files\n", n);
  std::vector<archive::ArticleRecord> records;
  time_stage("read_article", n, [&] {
    for (const auto& f : files) records.push_back(*archive::read_article(f));
    return records.size();
  });
  std::vector<std::string> flat;
  time_stage("flatten_html", n, [&] {
    std::size_t total = 0;
    for (const auto& r : records) total += flat.emplace_back(archive::flatten_html(r.html)).size();
    return total;
  });
  time_stage("sha256", n, [&] {
    std::size_t total = 0;
    for (const auto& f : flat) total += core::sha256_hex(f).size();
    return total;
  });
  std::vector<std::string> texts;
  time_stage("visible_text", n, [&] {
    std::size_t total = 0;
    for (const auto& f : flat) total += texts.emplace_back(search::visible_text(f)).size();
    return total;
  });
  time_stage("guess_language", n, [&] {
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i) total += catalog::guess_language(records[i].title + "\n" + texts[i]).size();
    return total;
  });
  time_stage("compress_html", n, [&] {
    std::size_t total = 0;
    for (const auto& f : flat) total += catalog::compress_html(f).bytes.size();
    return total;
  });
  time_stage("fold", n, [&] {
    std::size_t total = 0;
    for (const auto& t : texts) total += search::fold(t).size();
    return total;
  });
  // The import runs pretokenize (below); these two show what the
  // colocated terms (single characters, dictionary words, script
  // boundaries) add, through tokenize()'s callback interface.
  for (auto mode : {search::TokenizeFor::highlight, search::TokenizeFor::document}) {
    time_stage(mode == search::TokenizeFor::document ? "tokenize (document)" : "tokenize (positions only)", n, [&] {
      std::size_t tokens = 0;
      for (std::size_t i = 0; i < n; ++i) {
        search::tokenize(records[i].title, mode, [&](const search::Token&) { return ++tokens, true; });
        search::tokenize(texts[i], mode, [&](const search::Token&) { return ++tokens, true; });
      }
      return tokens;
    });
  }
  time_stage("pretokenize (as imported)", n, [&] {
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i) bytes += search::pretokenize(records[i].title).size() + search::pretokenize(texts[i]).size();
    return bytes;
  });
  time_stage("prepare_article (all)", n, [&] {
    std::size_t total = 0;
    for (const auto& r : records) {
      catalog::NewArticle a;
      a.title = r.title;
      a.html = r.html;
      total += catalog::prepare_article(std::move(a)).stored_html.size();
    }
    return total;
  });
  // The writer's share: the prepared articles into a fresh catalog, in
  // batches of 2000 as the import commits them.
  if (!only_stage || std::string_view(only_stage) == "write") {
    std::vector<catalog::PreparedArticle> prepared;
    for (std::size_t i = 0; i < n; ++i) {
      catalog::NewArticle a;
      a.site = "bench";
      a.file = "articles/bench/" + std::to_string(i) + ".md";
      a.identity = a.file;
      a.title = records[i].title;
      a.link = records[i].link;
      a.html = records[i].html;
      prepared.push_back(catalog::prepare_article(std::move(a)));
    }
    const fs::path db_file = fs::temp_directory_path() / ("catalog_stages_" + std::to_string(getpid()) + ".db");
    auto catalog = catalog::SqliteCatalog::open_file(db_file);
    if (!catalog) {
      std::fprintf(stderr, "%s\n", catalog.error().message.c_str());
      return 1;
    }
    // CATALOG_STAGES_REPEAT=R writes every article R times (under new
    // file names), for the cost of a catalog R times larger.
    const std::size_t repeat = std::getenv("CATALOG_STAGES_REPEAT") ? std::strtoul(std::getenv("CATALOG_STAGES_REPEAT"), nullptr, 10) : 1;
    const std::size_t total = n * std::max<std::size_t>(1, repeat);
    // CATALOG_STAGES_BATCH: articles per transaction (2000).
    const std::size_t batch = std::getenv("CATALOG_STAGES_BATCH") ? std::strtoul(std::getenv("CATALOG_STAGES_BATCH"), nullptr, 10) : 2000;
    time_stage("write (record_prepared)", total, [&] {
      for (std::size_t begin = 0; begin < total; begin += batch) {
        auto status = (*catalog)->transaction([&]() -> core::Status {
          for (std::size_t i = begin; i < std::min(total, begin + batch); ++i) {
            auto& p = prepared[i % n];
            p.article.file = "articles/bench/" + std::to_string(i) + ".md";
            if (auto id = (*catalog)->record_prepared(p); !id) return id.error();
          }
          return core::ok_status();
        });
        if (!status) std::fprintf(stderr, "%s\n", status.error().message.c_str());
      }
      return total;
    });
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_file.string() + suffix);
  }
  return 0;
}
