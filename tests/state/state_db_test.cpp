#include "state/state_db.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <set>
#include <tuple>

#include "core/mirror_layout.hpp"
#include "support/database.hpp"
#include "support/paths.hpp"

namespace newsmirror::state {
namespace {

using namespace std::chrono_literals;

core::TimePoint at(std::int64_t ms) { return core::TimePoint(std::chrono::milliseconds(ms)); }

ArchivedArticle article(std::string identity, std::string site, std::uint64_t seq, std::int64_t published = 1000) {
  ArchivedArticle a;
  a.identity = std::move(identity);
  a.site = std::move(site);
  a.seq = seq;
  a.file_name = std::to_string(0xFFFFF ^ seq) + "_标题.md";
  a.title = "标题 " + std::to_string(seq);
  a.link = "https://example.com/" + std::to_string(seq);
  a.published = at(published);
  a.first_seen = at(published + 5);
  a.content_hash = "hash" + std::to_string(seq);
  return a;
}

std::unique_ptr<StateDb> open(const test::TempDir& dir) { return test::opened(StateDb::open(dir.path())); }

TEST(StateDb, OpenCreatesTheFolderInWalModeAtTheCurrentSchema) {
  test::TempDir dir;
  auto db = open(dir);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / ".newsmirror" / "state.db"));
  EXPECT_EQ(test::journal_mode(dir.path() / ".newsmirror" / "state.db"), "wal");
  EXPECT_EQ(db->schema_version(), kSchemaVersion);
  EXPECT_EQ(db->last_site_sequence("法广"), 0u);
}

TEST(StateDb, ReopeningIsIdempotentAndKeepsData) {
  test::TempDir dir;
  {
    auto db = open(dir);
    ASSERT_TRUE(db->record_articles({article("id-1", "法广", 1)}));
  }
  for (int i = 0; i < 3; ++i) {
    auto db = open(dir);
    EXPECT_EQ(db->schema_version(), kSchemaVersion);
    auto found = db->find("id-1");
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, article("id-1", "法广", 1));
  }
}

TEST(StateDb, FindsOnlyRecordedIdentities) {
  test::TempDir dir;
  auto db = open(dir);
  EXPECT_FALSE(db->find("nope"));
  ASSERT_TRUE(db->record_articles({article("a", "BBC", 1), article("b", "BBC", 2)}));
  EXPECT_TRUE(db->find("a"));
  EXPECT_TRUE(db->find("b"));
  EXPECT_FALSE(db->find("c"));
}

TEST(StateDb, AnAliasFindsItsArticle) {
  test::TempDir dir;
  auto db = open(dir);
  auto a = article("guid:法广\x1f" "abc", "法广", 1);
  a.aliases = {"link:法广\x1f" "www.rfi.fr/cn/1"};
  ASSERT_TRUE(db->record_articles({a}));
  auto found = db->find("link:法广\x1f" "www.rfi.fr/cn/1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->identity, a.identity);
  EXPECT_FALSE(db->find("link:法广\x1f" "www.rfi.fr/cn/2"));
  // An alias another article already holds stays with the first one.
  auto b = article("guid:法广\x1f" "def", "法广", 2);
  b.aliases = {"link:法广\x1f" "www.rfi.fr/cn/1"};
  ASSERT_TRUE(db->record_articles({b}));
  EXPECT_EQ(db->find("link:法广\x1f" "www.rfi.fr/cn/1")->identity, a.identity);
}

TEST(StateDb, DuplicateIdentityRecordsNothing) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db->record_articles({article("a", "BBC", 1)}));
  auto dup_identity = db->record_articles({article("x", "BBC", 2), article("a", "BBC", 3)});
  ASSERT_FALSE(dup_identity);
  EXPECT_EQ(dup_identity.error().kind, core::ErrorKind::database);
  EXPECT_NE(dup_identity.error().message.find("recording article a"), std::string::npos)
      << dup_identity.error().message;
  EXPECT_FALSE(db->find("x")) << "the batch is one transaction";
}

TEST(StateDb, TwoFilesUnderOneNumberAndTheSameNumberInTwoSitesAreBothRecorded) {
  // Sites number on their own, and old mirrors hold two files under one
  // number (中国数字时代 392440 twice, with two titles).
  test::TempDir dir;
  auto db = open(dir);
  auto twin = article("twin", "中国数字时代", 7);
  twin.file_name = std::to_string(0xFFFFF ^ 7) + "_另一个标题.md";
  ASSERT_TRUE(db->record_articles({article("a", "中国数字时代", 7), twin, article("b", "BBC", 7)}));
  EXPECT_EQ(db->newest("中国数字时代", 10).size(), 2u);
  EXPECT_EQ(db->newest("BBC", 10).size(), 1u);
}

TEST(StateDb, NewestIsBySeqDescendingPerSite) {
  test::TempDir dir;
  auto db = open(dir);
  // Published dates deliberately disagree with seq order.
  ASSERT_TRUE(db->record_articles({article("a", "法广", 1, 5000), article("b", "BBC", 2),
                                  article("c", "法广", 3, 1000), article("d", "法广", 4, 3000)}));
  auto newest = db->newest("法广", 2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].identity, "d");
  EXPECT_EQ(newest[1].identity, "c");
  EXPECT_EQ(db->newest("法广", 100).size(), 3u);
  EXPECT_TRUE(db->newest("nobody", 10).empty());
}

TEST(StateDb, NewestPutsTwoFilesUnderOneNumberInNameOrder) {
  // As the old list page of 中国数字时代 has 392440_【立此存照】 before
  // 392440_【麻辣总局】.
  test::TempDir dir;
  auto db = open(dir);
  auto later_name = article("m", "中国数字时代", 3);
  later_name.file_name = "392440_【麻辣总局】失忆三连.md";
  auto earlier_name = article("l", "中国数字时代", 3);
  earlier_name.file_name = "392440_【立此存照】失忆三连.md";
  ASSERT_TRUE(db->record_articles({later_name, earlier_name, article("old", "中国数字时代", 2)}));
  auto newest = db->newest("中国数字时代", 10);
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_EQ(newest[0].identity, "l");
  EXPECT_EQ(newest[1].identity, "m");
  EXPECT_EQ(newest[2].identity, "old");
}

TEST(StateDb, SiteSummariesCountAndNewestPublished) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db->record_articles({article("a", "法广", 1, 5000), article("b", "BBC", 2, 7000),
                                  article("c", "法广", 3, 1000)}));
  auto sites = db->site_summaries();
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].site, "BBC");
  EXPECT_EQ(sites[0].articles, 1u);
  EXPECT_EQ(sites[1].site, "法广");
  EXPECT_EQ(sites[1].articles, 2u);
  EXPECT_EQ(sites[1].newest_published, at(5000));
}

TEST(StateDb, EachSiteCountsOnItsOwnConsecutivelyAndNeverReusesAcrossReopen) {
  test::TempDir dir;
  {
    auto db = open(dir);
    auto first = db->reserve_site_sequence("法广", 3);
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, 1u);
    EXPECT_EQ(*db->reserve_site_sequence("法广", 2), 4u);
    EXPECT_EQ(db->last_site_sequence("法广"), 5u);
    // Another site starts at the beginning: its first article is 1048574.
    EXPECT_EQ(*db->reserve_site_sequence("纽约时报", 1), 1u);
  }
  {
    // Nothing was recorded with those numbers (a crash before writing): the
    // numbers are skipped, not handed out again.
    auto db = open(dir);
    EXPECT_EQ(db->last_site_sequence("法广"), 5u);
    EXPECT_EQ(*db->reserve_site_sequence("法广", 1), 6u);
    EXPECT_EQ(db->last_site_sequence("纽约时报"), 1u);
  }
}

TEST(StateDb, TwoConnectionsNeverGetTheSameNumbers) {
  test::TempDir dir;
  auto a = open(dir);
  auto b = open(dir);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 20; ++i) {
    auto& db = i % 2 ? a : b;
    auto first = db->reserve_site_sequence("法广", 3);
    ASSERT_TRUE(first) << first.error().message;
    for (std::uint64_t s = *first; s < *first + 3; ++s) EXPECT_TRUE(seen.insert(s).second) << s;
  }
  EXPECT_EQ(a->last_site_sequence("法广"), 60u);
}

TEST(StateDb, ASiteWhoseNumbersReachZeroGoesOnWithoutCollisions) {
  // After N = 0 (seq 0xFFFFF) the site goes on at 2097151 and counts down
  // again; every number stays the site's own.
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db->raise_site_sequence("法广", 0xFFFFF - 2));
  std::vector<std::uint64_t> numbers;
  for (int i = 0; i < 4; ++i) numbers.push_back(0xFFFFFu ^ *db->reserve_site_sequence("法广", 1));
  EXPECT_EQ(numbers, (std::vector<std::uint64_t>{1, 0, 2097151, 2097150}));
}

TEST(StateDb, RaisingASiteCounterOnlyRaises) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db->raise_site_sequence("法广", 0xFFFFF - 1000));
  EXPECT_EQ(db->last_site_sequence("法广"), 0xFFFFFu - 1000);
  ASSERT_TRUE(db->raise_site_sequence("法广", 10));
  EXPECT_EQ(db->last_site_sequence("法广"), 0xFFFFFu - 1000);
  EXPECT_EQ(*db->reserve_site_sequence("法广", 1), 0xFFFFFu - 999);
  EXPECT_EQ(db->last_site_sequence("BBC"), 0u);
}

TEST(StateDb, RecordingMovesTheSiteCounterPastRecordedSeqs) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db->record_articles({article("a", "BBC", 41), article("b", "BBC", 3), article("c", "法广", 9)}));
  EXPECT_EQ(*db->reserve_site_sequence("BBC", 1), 42u);
  EXPECT_EQ(*db->reserve_site_sequence("法广", 1), 10u);
}

TEST(StateDb, AClaimedNumberIsTakenOnceAndRaisesTheCounter) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db->record_articles({article("a", "中国数字时代", 5)}));
  EXPECT_FALSE(*db->claim_site_sequence("中国数字时代", 5)) << "an article holds it";
  EXPECT_TRUE(*db->claim_site_sequence("中国数字时代", 657000));
  EXPECT_EQ(db->last_site_sequence("中国数字时代"), 657000u);
  EXPECT_TRUE(*db->claim_site_sequence("BBC", 5)) << "another site's number";
}

TEST(StateDb, KnowsFilesBySiteAndName) {
  test::TempDir dir;
  auto db = open(dir);
  auto a = article("a", "BBC", 1);
  ASSERT_TRUE(db->record_articles({a}));
  EXPECT_TRUE(db->knows_file("BBC", a.file_name));
  EXPECT_FALSE(db->knows_file("法广", a.file_name));
  EXPECT_FALSE(db->knows_file("BBC", "1_other.md"));
}

TEST(StateDb, SiteFoldersAreRecordedAndListed) {
  test::TempDir dir;
  auto db = open(dir);
  EXPECT_TRUE(db->site_folders().empty());
  ASSERT_TRUE(db->set_site_folder("法广", "rfi"));
  ASSERT_TRUE(db->raise_site_sequence("法广", 12));
  ASSERT_TRUE(db->raise_site_sequence("BBC", 3));
  using Folders = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(db->site_folders(), (Folders{{"法广", "rfi"}}));
  EXPECT_EQ(db->last_site_sequence("法广"), 12u) << "the folder keeps the counter";
}

TEST(StateDb, ValidatorsPerUrl) {
  test::TempDir dir;
  auto db = open(dir);
  EXPECT_FALSE(db->get_validators("https://a/").etag);
  ASSERT_TRUE(db->set_validators("https://a/", "\"abc\"", "Tue, 01 Aug 2023 00:00:00 GMT"));
  ASSERT_TRUE(db->set_validators("https://b/", std::nullopt, "x"));
  EXPECT_EQ(db->get_validators("https://a/").etag, "\"abc\"");
  EXPECT_EQ(db->get_validators("https://a/").last_modified, "Tue, 01 Aug 2023 00:00:00 GMT");
  ASSERT_TRUE(db->set_validators("https://a/", "\"def\"", std::nullopt));
  EXPECT_EQ(db->get_validators("https://a/").etag, "\"def\"");
  EXPECT_FALSE(db->get_validators("https://a/").last_modified);
  EXPECT_FALSE(db->get_validators("https://b/").etag);
}

TEST(StateDb, HealthCountsFailuresAndArchivedArticles) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db->record_attempt("法广", at(1000), core::ok_status(), 5));
  ASSERT_TRUE(db->record_attempt("法广", at(2000), core::Error(core::ErrorKind::timeout, "timed out"), 0));
  ASSERT_TRUE(db->record_attempt("法广", at(3000), core::Error(core::ErrorKind::http_status, "HTTP 503"), 0));
  ASSERT_TRUE(db->record_attempt("BBC", at(1500), core::Error(core::ErrorKind::timeout, "timed out"), 0));
  auto health = db->health();
  ASSERT_EQ(health.size(), 2u);
  EXPECT_EQ(health[0].source, "BBC");
  EXPECT_FALSE(health[0].last_success);
  EXPECT_EQ(health[0].consecutive_failures, 1u);
  auto rfi = health[1];
  EXPECT_EQ(rfi.last_attempt, at(3000));
  EXPECT_EQ(rfi.last_success, at(1000));
  EXPECT_EQ(rfi.last_error, "HTTP 503");
  EXPECT_EQ(rfi.consecutive_failures, 2u);
  EXPECT_EQ(rfi.articles_archived, 5u);

  ASSERT_TRUE(db->record_attempt("法广", at(4000), core::ok_status(), 2));
  rfi = db->health()[1];
  EXPECT_EQ(rfi.consecutive_failures, 0u);
  EXPECT_FALSE(rfi.last_error);
  EXPECT_EQ(rfi.articles_archived, 7u);
  EXPECT_EQ(rfi.last_new_count, 2u);
}

TEST(StateDb, MarkChangedCountsVersions) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db->record_articles({article("a", "BBC", 1)}));
  ASSERT_TRUE(db->mark_changed("a", "newhash", at(9000)));
  auto a = db->find("a");
  EXPECT_EQ(a->content_hash, "newhash");
  EXPECT_EQ(a->versions, 2u);
  EXPECT_EQ(a->last_changed, at(9000));
  EXPECT_FALSE(db->mark_changed("missing", "h", at(1)));
}

TEST(StateDb, TransactionRollsBackOnErrorAndNests) {
  test::TempDir dir;
  auto db = open(dir);
  auto failed = db->transaction([&]() -> core::Status {
    if (auto s = db->record_articles({article("a", "BBC", 1)}); !s) return s;
    if (auto s = db->set_validators("u", "e", std::nullopt); !s) return s;
    return core::Error(core::ErrorKind::io, "disk full");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "disk full");
  EXPECT_FALSE(db->find("a"));
  EXPECT_FALSE(db->get_validators("u").etag);

  auto nested = db->transaction([&]() -> core::Status {
    if (auto s = db->record_articles({article("b", "BBC", 2)}); !s) return s;
    // A failing inner transaction undoes only itself.
    auto inner = db->transaction([&]() -> core::Status {
      if (auto s = db->set_validators("u", "e", std::nullopt); !s) return s;
      return core::Error(core::ErrorKind::io, "inner");
    });
    EXPECT_FALSE(inner);
    return core::ok_status();
  });
  ASSERT_TRUE(nested) << nested.error().message;
  EXPECT_TRUE(db->find("b"));
  EXPECT_FALSE(db->get_validators("u").etag);
}

// The tables every schema since the first has had besides `articles`.
constexpr const char* kFirstSchemaOtherTables =
    "CREATE TABLE counters(name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE validators(url TEXT PRIMARY KEY NOT NULL, etag TEXT, last_modified TEXT) WITHOUT ROWID;"
    "CREATE TABLE source_health(source TEXT PRIMARY KEY NOT NULL, last_attempt INTEGER,"
    " last_success INTEGER, last_error TEXT, consecutive_failures INTEGER NOT NULL DEFAULT 0,"
    " articles_archived INTEGER NOT NULL DEFAULT 0, last_new_count INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;";

// A state database as an earlier release left it: `sql` run on a new file.
void make_old_database(const test::TempDir& dir, const std::string& sql) {
  std::filesystem::create_directories(dir.path() / ".newsmirror");
  auto file = dir.path() / ".newsmirror" / "state.db";
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
  sqlite3_close(raw);
}

// A database made by the first release (schema v1) is migrated on open
// without losing rows.
TEST(StateDb, MigratesAVersionOneDatabase) {
  test::TempDir dir;
  make_old_database(
      dir, std::string("CREATE TABLE articles(identity TEXT PRIMARY KEY NOT NULL, site TEXT NOT NULL,"
                       " file_name TEXT NOT NULL, seq INTEGER NOT NULL UNIQUE, title TEXT NOT NULL, link TEXT NOT NULL,"
                       " published INTEGER NOT NULL, first_seen INTEGER NOT NULL, content_hash TEXT NOT NULL)"
                       " WITHOUT ROWID;"
                       "CREATE INDEX articles_by_site ON articles(site, seq);") +
               kFirstSchemaOtherTables +
               "INSERT INTO articles VALUES('old', 'BBC', '1048574_t.md', 1, 't', 'https://x/', 10, 20, 'h');"
               "INSERT INTO counters VALUES('seq', 7);"
               "PRAGMA user_version = 1;");

  auto db = open(dir);
  EXPECT_EQ(db->schema_version(), kSchemaVersion);
  auto old = db->find("old");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->versions, 1u);
  EXPECT_FALSE(old->last_changed);
  EXPECT_EQ(old->seq, 1u);
  EXPECT_EQ(db->last_site_sequence("BBC"), 1u);
}

// A version 4 database of a mirror adopted by an earlier release holds N
// itself as seq for the adopted files (so lists ran oldest first and new
// files were numbered from the mirror-wide counter). Version 5 gives every
// row its place in its site from its file name, keeps the aliases, and
// numbering goes on below each site's smallest number.
TEST(StateDb, MigratingVersionFourRepairsAdoptedNumbersAndCountsPerSite) {
  test::TempDir dir;
  make_old_database(
      dir,
      std::string(
          "CREATE TABLE articles(identity TEXT PRIMARY KEY NOT NULL, site TEXT NOT NULL,"
          " file_name TEXT NOT NULL, seq INTEGER NOT NULL UNIQUE, title TEXT NOT NULL, link TEXT NOT NULL,"
          " published INTEGER NOT NULL, first_seen INTEGER NOT NULL, content_hash TEXT NOT NULL,"
          " versions INTEGER NOT NULL DEFAULT 1, last_changed INTEGER) WITHOUT ROWID;"
          "CREATE INDEX articles_by_site ON articles(site, seq);") +
          kFirstSchemaOtherTables +
          "CREATE TABLE identity_aliases(alias TEXT PRIMARY KEY NOT NULL,"
          " identity TEXT NOT NULL REFERENCES articles(identity)) WITHOUT ROWID;"
          "CREATE TABLE pending_images(site TEXT NOT NULL, file_name TEXT NOT NULL, attempts INTEGER NOT NULL,"
          " PRIMARY KEY(site, file_name)) WITHOUT ROWID;"
          // adopted: seq = N
          "INSERT INTO articles VALUES('a1', '法广', '1042083_t.md', 1042083, 't', 'https://x/1', 10, 20, 'h', 1, NULL);"
          "INSERT INTO articles VALUES('a2', '法广', '1042187_t.md', 1042187, 't', 'https://x/2', 10, 20, 'h', 1, NULL);"
          "INSERT INTO articles VALUES('n1', '纽约时报', '1047714.md', 1047714, 't', 'https://x/3', 10, 20, 'h', 1, NULL);"
          // written by the mirror-wide counter: seq 6494 made N 1042081
          "INSERT INTO articles VALUES('c1', '法广', '1042081_new.md', 6494, 't', 'https://x/4', 10, 20, 'h', 1, NULL);"
          "INSERT INTO articles VALUES('u', '法广', 'notes.md', 6495, 't', 'https://x/5', 10, 20, 'h', 1, NULL);"
          // digits first, yet not an article number (parse_article_number)
          "INSERT INTO articles VALUES('e', '法广', '1e5_x.md', 6496, 't', 'https://x/6', 10, 20, 'h', 1, NULL);"
          "INSERT INTO articles VALUES('big', '法广', '99999999999999999999.md', 6497, 't', 'https://x/7', 10, 20,"
          " 'h', 1, NULL);"
          "INSERT INTO identity_aliases VALUES('link:法广\x1fx/1', 'a1');"
          "INSERT INTO counters VALUES('seq', 1047714);"
          "PRAGMA user_version = 4;");

  auto db = open(dir);
  EXPECT_EQ(db->schema_version(), kSchemaVersion);
  EXPECT_EQ(db->find("a1")->seq, 0xFFFFFu ^ 1042083);
  EXPECT_EQ(db->find("c1")->seq, 6494u);
  EXPECT_EQ(db->find("u")->seq, 0u) << "a file without a number";
  EXPECT_EQ(db->find("e")->seq, 0u);
  EXPECT_EQ(db->find("big")->seq, 0u);
  EXPECT_EQ(db->find("link:法广x/1")->identity, "a1") << "the aliases survive the rebuild";
  std::vector<std::string> order;
  for (const auto& a : db->newest("法广", 10)) order.push_back(a.file_name);
  EXPECT_EQ(order, (std::vector<std::string>{"1042081_new.md", "1042083_t.md", "1042187_t.md", "1e5_x.md",
                                              "99999999999999999999.md", "notes.md"}));
  // The next 法广 article is 1042080, the next 纽约时报 one 1047713.
  EXPECT_EQ(0xFFFFFu ^ *db->reserve_site_sequence("法广", 1), 1042080u);
  EXPECT_EQ(0xFFFFFu ^ *db->reserve_site_sequence("纽约时报", 1), 1047713u);
  auto sites = db->site_summaries();
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].articles, 6u);
  EXPECT_EQ(sites[1].articles, 1u);
}

// Version 6 keeps each site's count and newest date in its row; the
// migration counts what is there, and the triggers then follow every insert.
TEST(StateDb, MigratingVersionFiveCountsEachSiteAndTheCountsFollowNewArticles) {
  test::TempDir dir;
  {
    auto db = open(dir);
    ASSERT_TRUE(db->record_articles({article("a", "法广", 1, 5000), article("b", "BBC", 2, 7000),
                                    article("c", "法广", 3, 1000)}));
  }
  test::run_sql(core::layout::state_db(dir.path()),
                "DROP TRIGGER articles_counted; DROP TRIGGER articles_uncounted;"
                "ALTER TABLE sites DROP COLUMN articles; ALTER TABLE sites DROP COLUMN newest_published;"
                "PRAGMA user_version = 5;");
  auto db = open(dir);
  EXPECT_EQ(db->schema_version(), kSchemaVersion);
  ASSERT_TRUE(db->record_articles({article("d", "BBC", 4, 9000), article("e", "德国之声", 5, 2000)}));
  std::vector<std::tuple<std::string, std::uint64_t, std::optional<core::TimePoint>>> sites;
  for (const auto& s : db->site_summaries()) sites.emplace_back(s.site, s.articles, s.newest_published);
  EXPECT_EQ(sites, (decltype(sites){{"BBC", 2, at(9000)}, {"德国之声", 1, at(2000)}, {"法广", 2, at(5000)}}));
}

TEST(StateDb, RefusesADatabaseFromTheFuture) {
  test::TempDir dir;
  { auto db = open(dir); }
  sqlite3* raw = nullptr;
  auto file = dir.path() / ".newsmirror" / "state.db";
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto db = StateDb::open(dir.path());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().kind, core::ErrorKind::database);
  EXPECT_NE(db.error().message.find("newer"), std::string::npos);
}

TEST(StateDb, OpeningANonDatabaseIsAnError) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / ".newsmirror");
  std::ofstream(dir.path() / ".newsmirror" / "state.db") << std::string(4096, 'x');
  auto db = StateDb::open(dir.path());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().kind, core::ErrorKind::database);
  EXPECT_NE(db.error().message.find("state.db"), std::string::npos) << db.error().message;
}

TEST(StateDbPendingImages, CountsAttemptsUntilCleared) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db->set_images_pending("法广", "1_a.md", true));
  ASSERT_TRUE(db->set_images_pending("法广", "1_a.md", true));
  ASSERT_TRUE(db->set_images_pending("BBC", "2_b.md", true));
  EXPECT_EQ(db->images_pending(10),
            (std::vector<PendingImages>{{"BBC", "2_b.md", 1}, {"法广", "1_a.md", 2}}));
  // An article tried often enough is no longer offered.
  EXPECT_EQ(db->images_pending(2), (std::vector<PendingImages>{{"BBC", "2_b.md", 1}}));
  ASSERT_TRUE(db->set_images_pending("BBC", "2_b.md", false));
  EXPECT_EQ(db->images_pending(10), (std::vector<PendingImages>{{"法广", "1_a.md", 2}}));
}

}  // namespace
}  // namespace newsmirror::state
