// The search half of the catalog benchmark (issue 5, "Speed"), run by
// bench/catalog.sh after it has imported a generated archive:
//
//   - index size versus text size: the FTS5 index (every article_fts_*
//     table, pages as dbstat counts them) divided by the articles' text
//     (bytes of UTF-8 of each title plus its visible body text, as
//     article_text holds them);
//   - query latency p50/p99 over the recall test's 300 queries
//     (tests/search/recall_queries.hpp), each the first page of 10 results
//     with snippets, as `newsmirror search` shows it; one untimed pass
//     first, so that both sides read from the page cache;
//   - baseline 1: a plain SQLite FTS5 table with the `trigram` tokenizer
//     over the same titles and texts: build time (articles/s), size, and
//     p50/p99 of the same queries (MATCH for 3+ characters, LIKE below:
//     trigrams cannot look up shorter strings), first 10 by rank;
//   - baseline 2: `rg -F -l` over the article files, per query.
//
// usage: catalog_bench --mirror DIR --corpus ARCHIVE [--import-rate N]
//                      [--rg-queries N] [--work DIR]
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "search/recall_queries.hpp"
#include "search/search_index.hpp"
#include "storage/sqlite.hpp"

namespace {

namespace fs = std::filesystem;
using namespace newsmirror;

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const fs::path& file, int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
    if (sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "cannot open %s: %s\n", file.c_str(), sqlite3_errmsg(db));
      std::exit(1);
    }
  }
  ~Db() { sqlite3_close_v2(db); }
  void exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::fprintf(stderr, "%s: %s\n", sql.c_str(), message ? message : "?");
      std::exit(1);
    }
  }
  double scalar(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
    double value = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_double(s, 0) : -1;
    sqlite3_finalize(s);
    return value;
  }
};

struct Figures {
  double p50 = 0, p99 = 0;
};

Figures time_queries(const std::vector<search::recall::DrawnQuery>& queries,
                     const std::function<void(const std::string&)>& run) {
  for (const auto& q : queries) run(q.text);  // warm the page cache
  std::vector<double> ms;
  std::vector<std::pair<double, std::string>> slowest;
  for (const auto& q : queries) {
    const double start = now_ms();
    run(q.text);
    ms.push_back(now_ms() - start);
    slowest.emplace_back(ms.back(), q.text);
  }
  // CATALOG_BENCH_SLOWEST=N lists the N slowest queries.
  if (const char* n = std::getenv("CATALOG_BENCH_SLOWEST")) {
    std::sort(slowest.rbegin(), slowest.rend());
    for (std::size_t k = 0; k < std::min<std::size_t>(slowest.size(), std::strtoul(n, nullptr, 10)); ++k)
      std::printf("  %.1f ms  %s\n", slowest[k].first, slowest[k].second.c_str());
  }
  return {percentile(ms, 0.5), percentile(ms, 0.99)};
}

// The number of characters of `text` (UTF-8).
std::size_t characters(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string sql_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

int run_rg(const fs::path& folder, const std::string& query) {
  pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    execlp("rg", "rg", "-F", "-l", "--no-messages", "--", query.c_str(), folder.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path mirror, corpus_dir, work = fs::temp_directory_path();
  double import_rate = 0;
  std::size_t rg_queries = 300;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--mirror") mirror = argv[i + 1];
    else if (flag == "--corpus") corpus_dir = argv[i + 1];
    else if (flag == "--import-rate") import_rate = std::atof(argv[i + 1]);
    else if (flag == "--rg-queries") rg_queries = std::strtoul(argv[i + 1], nullptr, 10);
    else if (flag == "--work") work = argv[i + 1];
  }
  if (mirror.empty() || corpus_dir.empty()) {
    std::fprintf(stderr, "usage: %s --mirror DIR --corpus ARCHIVE [--import-rate N] [--rg-queries N] [--work DIR]\n",
                 argv[0]);
    return 2;
  }
  auto corpus = search::recall::read_corpus(corpus_dir);
  if (!corpus) {
    std::fprintf(stderr, "%s\n", corpus.error().message.c_str());
    return 1;
  }
  const auto queries = search::recall::recall_queries(*corpus);

  // --- ours ---
  const fs::path catalog_file = mirror / ".newsmirror" / "catalog.db";
  storage::OpenOptions read_only;
  read_only.name = "catalog database";
  read_only.read_only = true;
  auto catalog = storage::Connection::open(catalog_file, read_only);
  if (!catalog) {
    std::fprintf(stderr, "%s\n", catalog.error().message.c_str());
    return 1;
  }
  if (auto s = search::prepare_connection(*catalog); !s) {
    std::fprintf(stderr, "%s\n", s.error().message.c_str());
    return 1;
  }
  auto scalar = [&](const char* sql) {
    auto value = catalog->integer(sql, sql);
    return value ? static_cast<double>(*value) : -1.0;
  };
  const double articles = scalar("SELECT count(*) FROM article_text");
  const double text_bytes = scalar("SELECT sum(length(CAST(title AS BLOB)) + length(CAST(body AS BLOB))) FROM article_text");
  const double index_bytes = scalar("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'article_fts%'");
  std::size_t failures = 0;
  const Figures ours = time_queries(queries, [&](const std::string& text) {
    search::SearchQuery query;
    query.text = text;
    query.limit = 10;
    if (!search::search(*catalog, query)) ++failures;
  });

  if (std::getenv("CATALOG_BENCH_ONLY_OURS")) {
    std::printf("index: %.1f MB = %.2fx the text; query latency: p50 %.2f ms, p99 %.2f ms\n", index_bytes / 1e6,
                index_bytes / text_bytes, ours.p50, ours.p99);
    return 0;
  }
  // --- baseline 1: FTS5 trigram over the same text ---
  const fs::path trigram_file = work / "trigram.db";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(trigram_file.string() + suffix);
  Db trigram(trigram_file);
  trigram.exec("PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
  trigram.exec("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='trigram')");
  trigram.exec("ATTACH " + std::string("'") + catalog_file.string() + "' AS catalog");
  const double build_start = now_ms();
  trigram.exec("BEGIN; INSERT INTO t(rowid, title, body) SELECT id, title, body FROM catalog.article_text; COMMIT");
  const double build_seconds = (now_ms() - build_start) / 1000;
  trigram.exec("DETACH catalog");
  const double trigram_bytes = trigram.scalar("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 't_%' OR name = 't'");
  sqlite3_stmt* match = nullptr;
  sqlite3_stmt* like = nullptr;
  sqlite3_prepare_v2(trigram.db,
                     "SELECT rowid, snippet(t, 1, '**', '**', '…', 12) FROM t WHERE t MATCH ?1 ORDER BY rank LIMIT 10",
                     -1, &match, nullptr);
  sqlite3_prepare_v2(trigram.db, "SELECT rowid, title FROM t WHERE body LIKE ?1 OR title LIKE ?1 LIMIT 10", -1, &like,
                     nullptr);
  const Figures trigram_figures = time_queries(queries, [&](const std::string& text) {
    sqlite3_stmt* s = characters(text) >= 3 ? match : like;
    const std::string bound = s == match ? sql_string(text) : "%" + text + "%";
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, bound.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW) {
    }
  });
  sqlite3_finalize(match);
  sqlite3_finalize(like);

  // --- baseline 2: rg -F over the files ---
  std::vector<search::recall::DrawnQuery> rg_set(queries.begin(),
                                                 queries.begin() + std::min(rg_queries, queries.size()));
  Figures rg{};
  bool have_rg = std::system("rg --version > /dev/null 2>&1") == 0;
  unsetenv("CATALOG_BENCH_SLOWEST");
  if (have_rg && !rg_set.empty()) rg = time_queries(rg_set, [&](const std::string& text) { run_rg(mirror / "articles", text); });

  std::printf("articles: %.0f; text %.1f MB (titles + visible body text, UTF-8)\n", articles, text_bytes / 1e6);
  if (import_rate > 0) std::printf("import: %.0f articles/s\n", import_rate);
  std::printf("index: %.1f MB = %.2fx the text\n", index_bytes / 1e6, index_bytes / text_bytes);
  std::printf("query latency (300 queries, first page with snippets): p50 %.2f ms, p99 %.2f ms%s\n", ours.p50,
              ours.p99, failures ? " (some queries failed!)" : "");
  std::printf("baseline FTS5 trigram: build %.1f s = %.0f articles/s; size %.1f MB = %.2fx the text; p50 %.2f ms, "
              "p99 %.2f ms\n",
              build_seconds, articles / build_seconds, trigram_bytes / 1e6, trigram_bytes / text_bytes,
              trigram_figures.p50, trigram_figures.p99);
  if (have_rg)
    std::printf("baseline rg -F -l over the files (%zu queries): p50 %.1f ms, p99 %.1f ms\n", rg_set.size(), rg.p50,
                rg.p99);
  else
    std::printf("baseline rg: not installed\n");
  std::printf("ratios vs trigram: import %.1fx faster (ours includes parsing and storing every version), "
              "index %.2fx its size, p50 %.1fx faster, p99 %.1fx faster\n",
              import_rate > 0 ? import_rate / (articles / build_seconds) : 0, index_bytes / trigram_bytes,
              trigram_figures.p50 / ours.p50, trigram_figures.p99 / ours.p99);
  if (have_rg)
    std::printf("ratios vs rg: p50 %.0fx faster, p99 %.0fx faster\n", rg.p50 / ours.p50, rg.p99 / ours.p99);
  std::printf("targets: import >= 5000/s %s; p99 <= 20 ms %s; index <= 1.5x %s\n",
              import_rate >= 5000 ? "met" : "NOT met", ours.p99 <= 20 ? "met" : "NOT met",
              index_bytes / text_bytes <= 1.5 ? "met" : "NOT met");
  fs::remove(trigram_file);
  return failures ? 1 : 0;
}
