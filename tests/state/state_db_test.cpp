#include "state/state_db.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <set>

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

StateDb open(const test::TempDir& dir) {
  auto db = StateDb::open(dir.path());
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

TEST(StateDb, OpenCreatesTheFolderInWalModeAtTheCurrentSchema) {
  test::TempDir dir;
  auto db = open(dir);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / ".newsmirror" / "state.db"));
  EXPECT_EQ(db.journal_mode(), "wal");
  EXPECT_EQ(db.schema_version(), kSchemaVersion);
  EXPECT_EQ(db.last_sequence(), 0u);
}

TEST(StateDb, ReopeningIsIdempotentAndKeepsData) {
  test::TempDir dir;
  {
    auto db = open(dir);
    ASSERT_TRUE(db.record_articles({article("id-1", "法广", 1)}));
  }
  for (int i = 0; i < 3; ++i) {
    auto db = open(dir);
    EXPECT_EQ(db.schema_version(), kSchemaVersion);
    auto found = db.find("id-1");
    ASSERT_TRUE(found);
    EXPECT_EQ(*found, article("id-1", "法广", 1));
  }
}

TEST(StateDb, FindsOnlyRecordedIdentities) {
  test::TempDir dir;
  auto db = open(dir);
  EXPECT_FALSE(db.find("nope"));
  ASSERT_TRUE(db.record_articles({article("a", "BBC", 1), article("b", "BBC", 2)}));
  EXPECT_TRUE(db.find("a"));
  EXPECT_TRUE(db.find("b"));
  EXPECT_FALSE(db.find("c"));
}

TEST(StateDb, AnAliasFindsItsArticle) {
  test::TempDir dir;
  auto db = open(dir);
  auto a = article("guid:法广\x1f" "abc", "法广", 1);
  a.aliases = {"link:法广\x1f" "www.rfi.fr/cn/1"};
  ASSERT_TRUE(db.record_articles({a}));
  auto found = db.find("link:法广\x1f" "www.rfi.fr/cn/1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->identity, a.identity);
  EXPECT_FALSE(db.find("link:法广\x1f" "www.rfi.fr/cn/2"));
  // An alias another article already holds stays with the first one.
  auto b = article("guid:法广\x1f" "def", "法广", 2);
  b.aliases = {"link:法广\x1f" "www.rfi.fr/cn/1"};
  ASSERT_TRUE(db.record_articles({b}));
  EXPECT_EQ(db.find("link:法广\x1f" "www.rfi.fr/cn/1")->identity, a.identity);
}

TEST(StateDb, DuplicateIdentityOrSeqRecordsNothing) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db.record_articles({article("a", "BBC", 1)}));
  auto dup_identity = db.record_articles({article("x", "BBC", 2), article("a", "BBC", 3)});
  ASSERT_FALSE(dup_identity);
  EXPECT_EQ(dup_identity.error().kind, core::ErrorKind::database);
  EXPECT_NE(dup_identity.error().message.find("recording article a"), std::string::npos)
      << dup_identity.error().message;
  EXPECT_FALSE(db.find("x")) << "the batch is one transaction";
  EXPECT_FALSE(db.record_articles({article("y", "BBC", 1)})) << "seq is unique";
  EXPECT_FALSE(db.find("y"));
}

TEST(StateDb, NewestIsBySeqDescendingPerSite) {
  test::TempDir dir;
  auto db = open(dir);
  // Published dates deliberately disagree with seq order.
  ASSERT_TRUE(db.record_articles({article("a", "法广", 1, 5000), article("b", "BBC", 2),
                                  article("c", "法广", 3, 1000), article("d", "法广", 4, 3000)}));
  auto newest = db.newest("法广", 2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].identity, "d");
  EXPECT_EQ(newest[1].identity, "c");
  EXPECT_EQ(db.newest("法广", 100).size(), 3u);
  EXPECT_TRUE(db.newest("nobody", 10).empty());
}

TEST(StateDb, SiteSummariesCountAndNewestPublished) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db.record_articles({article("a", "法广", 1, 5000), article("b", "BBC", 2, 7000),
                                  article("c", "法广", 3, 1000)}));
  auto sites = db.site_summaries();
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].site, "BBC");
  EXPECT_EQ(sites[0].articles, 1u);
  EXPECT_EQ(sites[1].site, "法广");
  EXPECT_EQ(sites[1].articles, 2u);
  EXPECT_EQ(sites[1].newest_published, at(5000));
}

TEST(StateDb, SequencesAreConsecutiveAndNeverReusedAcrossReopen) {
  test::TempDir dir;
  {
    auto db = open(dir);
    auto first = db.reserve_sequence(3);
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, 1u);
    EXPECT_EQ(*db.reserve_sequence(2), 4u);
    EXPECT_EQ(db.last_sequence(), 5u);
  }
  {
    // Nothing was recorded with those numbers (a crash before writing): the
    // numbers are skipped, not handed out again.
    auto db = open(dir);
    EXPECT_EQ(db.last_sequence(), 5u);
    EXPECT_EQ(*db.reserve_sequence(1), 6u);
  }
}

TEST(StateDb, TwoConnectionsNeverGetTheSameNumbers) {
  test::TempDir dir;
  auto a = open(dir);
  auto b = open(dir);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 20; ++i) {
    auto& db = i % 2 ? a : b;
    auto first = db.reserve_sequence(3);
    ASSERT_TRUE(first) << first.error().message;
    for (std::uint64_t s = *first; s < *first + 3; ++s) EXPECT_TRUE(seen.insert(s).second) << s;
  }
  EXPECT_EQ(a.last_sequence(), 60u);
}

TEST(StateDb, EnsureSequenceOnlyRaises) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db.ensure_sequence_at_least(0xFFFFF - 1000));
  EXPECT_EQ(db.last_sequence(), 0xFFFFFu - 1000);
  ASSERT_TRUE(db.ensure_sequence_at_least(10));
  EXPECT_EQ(db.last_sequence(), 0xFFFFFu - 1000);
  EXPECT_EQ(*db.reserve_sequence(1), 0xFFFFFu - 999);
}

TEST(StateDb, RecordingMovesTheCounterPastRecordedSeqs) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db.record_articles({article("a", "BBC", 41)}));
  EXPECT_EQ(*db.reserve_sequence(1), 42u);
}

TEST(StateDb, ValidatorsPerUrl) {
  test::TempDir dir;
  auto db = open(dir);
  EXPECT_FALSE(db.get_validators("https://a/").etag);
  ASSERT_TRUE(db.set_validators("https://a/", "\"abc\"", "Tue, 01 Aug 2023 00:00:00 GMT"));
  ASSERT_TRUE(db.set_validators("https://b/", std::nullopt, "x"));
  EXPECT_EQ(db.get_validators("https://a/").etag, "\"abc\"");
  EXPECT_EQ(db.get_validators("https://a/").last_modified, "Tue, 01 Aug 2023 00:00:00 GMT");
  ASSERT_TRUE(db.set_validators("https://a/", "\"def\"", std::nullopt));
  EXPECT_EQ(db.get_validators("https://a/").etag, "\"def\"");
  EXPECT_FALSE(db.get_validators("https://a/").last_modified);
  EXPECT_FALSE(db.get_validators("https://b/").etag);
}

TEST(StateDb, HealthCountsFailuresAndArchivedArticles) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db.record_attempt("法广", at(1000), core::ok_status(), 5));
  ASSERT_TRUE(db.record_attempt("法广", at(2000), core::Error(core::ErrorKind::timeout, "timed out"), 0));
  ASSERT_TRUE(db.record_attempt("法广", at(3000), core::Error(core::ErrorKind::http_status, "HTTP 503"), 0));
  ASSERT_TRUE(db.record_attempt("BBC", at(1500), core::Error(core::ErrorKind::timeout, "timed out"), 0));
  auto health = db.health();
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

  ASSERT_TRUE(db.record_attempt("法广", at(4000), core::ok_status(), 2));
  rfi = db.health()[1];
  EXPECT_EQ(rfi.consecutive_failures, 0u);
  EXPECT_FALSE(rfi.last_error);
  EXPECT_EQ(rfi.articles_archived, 7u);
  EXPECT_EQ(rfi.last_new_count, 2u);
}

TEST(StateDb, MarkChangedCountsVersions) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db.record_articles({article("a", "BBC", 1)}));
  ASSERT_TRUE(db.mark_changed("a", "newhash", at(9000)));
  auto a = db.find("a");
  EXPECT_EQ(a->content_hash, "newhash");
  EXPECT_EQ(a->versions, 2u);
  EXPECT_EQ(a->last_changed, at(9000));
  EXPECT_FALSE(db.mark_changed("missing", "h", at(1)));
}

TEST(StateDb, TransactionRollsBackOnErrorAndNests) {
  test::TempDir dir;
  auto db = open(dir);
  auto failed = db.transaction([&]() -> core::Status {
    if (auto s = db.record_articles({article("a", "BBC", 1)}); !s) return s;
    if (auto s = db.set_validators("u", "e", std::nullopt); !s) return s;
    return core::Error(core::ErrorKind::io, "disk full");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "disk full");
  EXPECT_FALSE(db.find("a"));
  EXPECT_FALSE(db.get_validators("u").etag);

  auto nested = db.transaction([&]() -> core::Status {
    if (auto s = db.record_articles({article("b", "BBC", 2)}); !s) return s;
    // A failing inner transaction undoes only itself.
    auto inner = db.transaction([&]() -> core::Status {
      if (auto s = db.set_validators("u", "e", std::nullopt); !s) return s;
      return core::Error(core::ErrorKind::io, "inner");
    });
    EXPECT_FALSE(inner);
    return core::ok_status();
  });
  ASSERT_TRUE(nested) << nested.error().message;
  EXPECT_TRUE(db.find("b"));
  EXPECT_FALSE(db.get_validators("u").etag);
}

TEST(StateDb, RecordUnknownArticlesSkipsKnownOnesAndRenumbersTakenSeqs) {
  test::TempDir dir;
  auto db = open(dir);
  ASSERT_TRUE(db.record_articles({article("known", "BBC", 5)}));
  // Another site's #5 (classic mirrors number each site), a known one, a
  // file without a number, a duplicate identity, and one that fits.
  auto recorded = db.record_unknown_articles({article("rfi-5", "RFI", 5), article("known", "BBC", 5),
                                              article("unnumbered", "RFI", 0), article("rfi-5", "RFI", 6),
                                              article("rfi-7", "RFI", 7)});
  ASSERT_TRUE(recorded.ok()) << recorded.error().message;
  ASSERT_EQ(recorded->size(), 3u);
  EXPECT_EQ(db.find("rfi-7")->seq, 7u);
  // Renumbered above everything recorded, the file name kept.
  EXPECT_GT(db.find("rfi-5")->seq, 7u);
  EXPECT_EQ(db.find("rfi-5")->file_name, article("rfi-5", "RFI", 5).file_name);
  EXPECT_GT(db.find("unnumbered")->seq, 7u);
  EXPECT_NE(db.find("unnumbered")->seq, db.find("rfi-5")->seq);
  EXPECT_GE(db.last_sequence(), db.find("unnumbered")->seq);
  auto again = db.record_unknown_articles({article("rfi-7", "RFI", 7)});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

// A database made by the first release (schema v1) is migrated on open
// without losing rows.
TEST(StateDb, MigratesAVersionOneDatabase) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / ".newsmirror");
  auto file = dir.path() / ".newsmirror" / "state.db";
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  const char* v1 =
      "CREATE TABLE articles(identity TEXT PRIMARY KEY NOT NULL, site TEXT NOT NULL,"
      " file_name TEXT NOT NULL, seq INTEGER NOT NULL UNIQUE, title TEXT NOT NULL, link TEXT NOT NULL,"
      " published INTEGER NOT NULL, first_seen INTEGER NOT NULL, content_hash TEXT NOT NULL) WITHOUT ROWID;"
      "CREATE INDEX articles_by_site ON articles(site, seq);"
      "CREATE TABLE counters(name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE validators(url TEXT PRIMARY KEY NOT NULL, etag TEXT, last_modified TEXT) WITHOUT ROWID;"
      "CREATE TABLE source_health(source TEXT PRIMARY KEY NOT NULL, last_attempt INTEGER,"
      " last_success INTEGER, last_error TEXT, consecutive_failures INTEGER NOT NULL DEFAULT 0,"
      " articles_archived INTEGER NOT NULL DEFAULT 0, last_new_count INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
      "INSERT INTO articles VALUES('old', 'BBC', '1048574_t.md', 1, 't', 'https://x/', 10, 20, 'h');"
      "INSERT INTO counters VALUES('seq', 7);"
      "PRAGMA user_version = 1;";
  ASSERT_EQ(sqlite3_exec(raw, v1, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);

  auto db = open(dir);
  EXPECT_EQ(db.schema_version(), kSchemaVersion);
  auto old = db.find("old");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->versions, 1u);
  EXPECT_FALSE(old->last_changed);
  EXPECT_EQ(db.last_sequence(), 7u);
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

}  // namespace
}  // namespace newsmirror::state

namespace newsmirror::state {
namespace {

TEST(StateDbPendingImages, CountsAttemptsUntilCleared) {
  test::TempDir dir;
  auto db = StateDb::open(dir.path());
  ASSERT_TRUE(db);
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
