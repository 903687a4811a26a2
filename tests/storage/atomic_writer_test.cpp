#include "storage/atomic_writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "archive/corpus.hpp"
#include "core/mirror_layout.hpp"

namespace newsmirror::storage {
namespace {

namespace fs = std::filesystem;
using ::newsmirror::test::TempDir;
using archive::test::read_bytes;

void write_plain(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// Every file below `root`, relative, sorted.
std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), root).string());
  std::sort(files.begin(), files.end());
  return files;
}

// A cloned mirror's `articles/BBC` may be a link to anywhere: a write
// through it must not land there.
TEST(BatchWriter, RefusesToWriteThroughASymbolicallyLinkedFolder) {
  TempDir root, elsewhere;
  fs::create_directories(root.path() / "articles");
  fs::create_directory_symlink(elsewhere.path(), root.path() / "articles" / "BBC");
  BatchWriter batch(root.path());
  auto staged = batch.stage("articles/BBC/1048574.md", "x");
  ASSERT_FALSE(staged);
  EXPECT_EQ(staged.error().kind, core::ErrorKind::io);
  EXPECT_NE(staged.error().message.find("is a symbolic link (to " + elsewhere.path().string() + ")"),
            std::string::npos)
      << staged.error().message;
  EXPECT_TRUE(batch.commit());
  EXPECT_TRUE(fs::is_empty(elsewhere.path()));
  EXPECT_TRUE(refuse_symlinked_folders(root.path(), "articles/法广/1.md")) << "real or missing folders pass";
}

TEST(BatchWriter, CommittedFilesHoldTheirBytes) {
  TempDir dir;
  BatchWriter batch(dir.path());
  ASSERT_TRUE(batch.stage("articles/法广/1042081.md", "<!--1-->\n[a](b)\n------\n\nx\n").ok());
  ASSERT_TRUE(batch.stage("lists/法广.md", "法广\n------\n\n").ok());
  ASSERT_TRUE(batch.stage("README.md", "r\n").ok());
  EXPECT_EQ(batch.staged_count(), 3u);
  const auto st = batch.commit();
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(read_bytes(dir.path() / "articles/法广/1042081.md"), "<!--1-->\n[a](b)\n------\n\nx\n");
  EXPECT_EQ(read_bytes(dir.path() / "lists/法广.md"), "法广\n------\n\n");
  EXPECT_EQ(read_bytes(dir.path() / "README.md"), "r\n");
  EXPECT_EQ(files_under(dir.path()),
            (std::vector<std::string>{"README.md", "articles/法广/1042081.md", "lists/法广.md"}));
}

TEST(BatchWriter, CommitReplacesAnExistingFile) {
  TempDir dir;
  write_plain(dir.path() / "lists/BBC.md", "old");
  BatchWriter batch(dir.path());
  ASSERT_TRUE(batch.stage("lists/BBC.md", "new").ok());
  ASSERT_TRUE(batch.commit().ok());
  EXPECT_EQ(read_bytes(dir.path() / "lists/BBC.md"), "new");
}

TEST(BatchWriter, StagingTheSamePathTwiceKeepsTheLaterBytes) {
  TempDir dir;
  BatchWriter batch(dir.path());
  ASSERT_TRUE(batch.stage("a.md", "first").ok());
  ASSERT_TRUE(batch.stage("a.md", "second").ok());
  ASSERT_TRUE(batch.commit().ok());
  EXPECT_EQ(read_bytes(dir.path() / "a.md"), "second");
  EXPECT_EQ(files_under(dir.path()), std::vector<std::string>{"a.md"});
}

TEST(BatchWriter, UncommittedBatchLeavesNoTargetAndNoTempFile) {
  TempDir dir;
  write_plain(dir.path() / "lists/BBC.md", "old");
  {
    BatchWriter batch(dir.path());
    ASSERT_TRUE(batch.stage("articles/BBC/1.md", "x").ok());
    ASSERT_TRUE(batch.stage("lists/BBC.md", "new").ok());
    // Before commit only hidden temp files exist beside the targets.
    EXPECT_FALSE(fs::exists(dir.path() / "articles/BBC/1.md"));
    EXPECT_EQ(read_bytes(dir.path() / "lists/BBC.md"), "old");
    for (const auto& e : fs::directory_iterator(dir.path() / "articles/BBC"))
      EXPECT_TRUE(core::layout::is_temp_file_name(e.path().filename().string())) << e.path();
  }  // destroyed without commit
  EXPECT_EQ(files_under(dir.path()), std::vector<std::string>{"lists/BBC.md"});
  EXPECT_EQ(read_bytes(dir.path() / "lists/BBC.md"), "old");
}

TEST(BatchWriter, AbandonRemovesTempFiles) {
  TempDir dir;
  BatchWriter batch(dir.path());
  ASSERT_TRUE(batch.stage("a/b.md", "x").ok());
  batch.abandon();
  EXPECT_EQ(batch.staged_count(), 0u);
  EXPECT_TRUE(files_under(dir.path()).empty());
  ASSERT_TRUE(batch.commit().ok());  // nothing left to commit
  EXPECT_TRUE(files_under(dir.path()).empty());
}

TEST(BatchWriter, CreatesMissingDirectories) {
  TempDir dir;
  BatchWriter batch(dir.path() / "new-root");
  ASSERT_TRUE(batch.stage("articles/自由亚洲电台/1047482.md", "x").ok());
  ASSERT_TRUE(batch.commit().ok());
  EXPECT_EQ(read_bytes(dir.path() / "new-root/articles/自由亚洲电台/1047482.md"), "x");
}

TEST(BatchWriter, RefusesPathsOutsideTheRoot) {
  TempDir dir;
  BatchWriter batch(dir.path() / "root");
  for (const char* bad : {"../escape.md", "a/../../escape.md", "/etc/passwd", "", "a/..", "a/"}) {
    const auto st = batch.stage(bad, "x");
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().kind, core::ErrorKind::usage) << bad;
  }
  EXPECT_EQ(batch.staged_count(), 0u);
  EXPECT_TRUE(files_under(dir.path()).empty());
}

TEST(BatchWriter, FailingWriteIsAnIoErrorNamingThePathAndLeavesNoTarget) {
  TempDir dir;
  const FaultHook full_disk = [](FileOp op, const fs::path& path) -> core::Status {
    if (op == FileOp::write && path.string().find("2.md") != std::string::npos)
      return core::Error(core::ErrorKind::io, "write " + path.string() + ": No space left on device");
    return core::ok_status();
  };
  BatchWriter batch(dir.path(), full_disk);
  ASSERT_TRUE(batch.stage("articles/s/1.md", "one").ok());
  const auto st = batch.stage("articles/s/2.md", "two");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, core::ErrorKind::io);
  EXPECT_NE(st.error().message.find("2.md"), std::string::npos) << st.error().message;
  batch.abandon();
  EXPECT_TRUE(files_under(dir.path()).empty());
}

TEST(BatchWriter, StagingManyFilesAtOnceWritesEachWithItsOwnBytes) {
  TempDir dir;
  BatchWriter batch(dir.path());
  std::vector<fs::path> paths;
  for (int i = 0; i < 400; ++i)
    paths.push_back(fs::path("articles") / ("site" + std::to_string(i % 4)) / (std::to_string(i) + ".md"));
  const auto st = batch.stage_all(paths, [](std::size_t i) { return "article " + std::to_string(i) + "\n"; });
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(batch.staged_count(), paths.size());
  ASSERT_TRUE(batch.commit().ok());
  for (std::size_t i = 0; i < paths.size(); ++i)
    EXPECT_EQ(read_bytes(dir.path() / paths[i]), "article " + std::to_string(i) + "\n") << paths[i];
  EXPECT_EQ(files_under(dir.path()).size(), paths.size());  // no temp file left
}

TEST(BatchWriter, AFailureWhileStagingManyFilesKeepsNoneOfThemButKeepsWhatWasStagedBefore) {
  TempDir dir;
  const FaultHook full_disk = [](FileOp op, const fs::path& path) -> core::Status {
    if (op == FileOp::write && path.filename().string().find("3.md") != std::string::npos)
      return core::Error(core::ErrorKind::io, "write " + path.string() + ": No space left on device");
    return core::ok_status();
  };
  BatchWriter batch(dir.path(), full_disk);
  ASSERT_TRUE(batch.stage("lists/s.md", "list").ok());
  const std::vector<fs::path> paths{"articles/s/1.md", "articles/s/2.md", "articles/s/3.md", "articles/s/4.md"};
  const auto st = batch.stage_all(paths, [](std::size_t i) { return std::to_string(i); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, core::ErrorKind::io);
  EXPECT_NE(st.error().message.find("3.md"), std::string::npos) << st.error().message;
  EXPECT_EQ(batch.staged_count(), 1u);
  ASSERT_TRUE(batch.commit().ok());
  EXPECT_EQ(files_under(dir.path()), std::vector<std::string>{"lists/s.md"});
}

TEST(BatchWriter, FailingSyncCommitsNothing) {
  TempDir dir;
  write_plain(dir.path() / "lists/s.md", "old");
  const FaultHook failing_sync = [](FileOp op, const fs::path& path) -> core::Status {
    if (op == FileOp::sync) return core::Error(core::ErrorKind::io, "sync " + path.string() + ": EIO");
    return core::ok_status();
  };
  BatchWriter batch(dir.path(), failing_sync);
  ASSERT_TRUE(batch.stage("articles/s/1.md", "one").ok());
  ASSERT_TRUE(batch.stage("lists/s.md", "new").ok());
  const auto st = batch.commit();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, core::ErrorKind::io);
  EXPECT_EQ(files_under(dir.path()), std::vector<std::string>{"lists/s.md"});
  EXPECT_EQ(read_bytes(dir.path() / "lists/s.md"), "old");
}

TEST(BatchWriter, FailingRenameLeavesEachTargetOldOrNewNeverPartial) {
  TempDir dir;
  write_plain(dir.path() / "b.md", "old b");
  const FaultHook failing_rename = [](FileOp op, const fs::path& path) -> core::Status {
    if (op == FileOp::rename && path.filename() == "b.md")
      return core::Error(core::ErrorKind::io, "rename onto " + path.string() + ": EIO");
    return core::ok_status();
  };
  BatchWriter batch(dir.path(), failing_rename);
  ASSERT_TRUE(batch.stage("a.md", "new a").ok());
  ASSERT_TRUE(batch.stage("b.md", "new b").ok());
  ASSERT_TRUE(batch.stage("c.md", "new c").ok());
  const auto st = batch.commit();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("b.md"), std::string::npos);
  EXPECT_EQ(read_bytes(dir.path() / "a.md"), "new a");
  EXPECT_EQ(read_bytes(dir.path() / "b.md"), "old b");
  EXPECT_FALSE(fs::exists(dir.path() / "c.md"));
  EXPECT_EQ(files_under(dir.path()), (std::vector<std::string>{"a.md", "b.md"}));
}

TEST(AtomicWrite, WritesAndReplacesAFile) {
  TempDir dir;
  const fs::path target = dir.path() / "sub/dir/README.md";
  ASSERT_TRUE(write_file_atomically(target, "one").ok());
  EXPECT_EQ(read_bytes(target), "one");
  ASSERT_TRUE(write_file_atomically(target, "two").ok());
  EXPECT_EQ(read_bytes(target), "two");
  EXPECT_EQ(files_under(dir.path()), std::vector<std::string>{"sub/dir/README.md"});
}

TEST(AtomicWrite, FailureLeavesTheOldFileAndNoTemp) {
  TempDir dir;
  const fs::path target = dir.path() / "state.toml";
  write_plain(target, "old");
  const FaultHook failing_sync = [](FileOp op, const fs::path& path) -> core::Status {
    if (op == FileOp::sync) return core::Error(core::ErrorKind::io, "fdatasync " + path.string() + ": EIO");
    return core::ok_status();
  };
  const auto st = write_file_atomically(target, "new", failing_sync);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, core::ErrorKind::io);
  EXPECT_EQ(read_bytes(target), "old");
  EXPECT_EQ(files_under(dir.path()), std::vector<std::string>{"state.toml"});
}

TEST(AtomicWrite, UnwritableDirectoryIsAnIoErrorNamingThePath) {
  TempDir dir;
  write_plain(dir.path() / "file", "x");
  const auto st = write_file_atomically(dir.path() / "file" / "below.md", "y");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, core::ErrorKind::io);
  EXPECT_NE(st.error().message.find(dir.path().string()), std::string::npos) << st.error().message;
}

TEST(TempFiles, RecognizesOnlyWriterTempNames) {
  const struct {
    std::string_view name;
    bool temp;
  } cases[] = {
      {".1042081_标题.md.tmp-1234-0", true},
      {".README.md.tmp-99-17", true},
      {"1042081_标题.md", false},
      {".hidden", false},
      {".a.tmp-", false},
      {".a.tmp-12", false},
      {".a.tmp-12-", false},
      {".a.tmp--3", false},
      {".a.tmp-1x-3", false},
      {"a.tmp-1-2", false},
      {".tmp-1-2", false},
  };
  for (const auto& c : cases) EXPECT_EQ(core::layout::is_temp_file_name(c.name), c.temp) << c.name;
}

TEST(TempFiles, StaleTempFilesAreRemovedAndOthersKept) {
  TempDir dir;
  // pid 4194305 is above Linux's largest pid_max: no such process.
  write_plain(dir.path() / "articles/法广/.1042081_x.md.tmp-4194305-0", "half");
  write_plain(dir.path() / ".README.md.tmp-4194305-3", "half");
  write_plain(dir.path() / "articles/法广/1042081_x.md", "whole");
  write_plain(dir.path() / ".gitignore", "x");
  write_plain(dir.path() / ".git/objects/.pack.tmp-4194305-1", "git's own");
  // A live writer's temp file (this process) is not stale.
  const std::string live = ".a.md.tmp-" + std::to_string(::getpid()) + "-0";
  write_plain(dir.path() / live, "in progress");

  const auto removed = remove_stale_temp_files(dir.path());
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(*removed, 2u);
  EXPECT_EQ(files_under(dir.path()),
            (std::vector<std::string>{live, ".git/objects/.pack.tmp-4194305-1", ".gitignore",
                                      "articles/法广/1042081_x.md"}));
}

TEST(TempFiles, MissingRootIsAnIoError) {
  TempDir dir;
  const auto removed = remove_stale_temp_files(dir.path() / "absent");
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().kind, core::ErrorKind::io);
}

}  // namespace
}  // namespace newsmirror::storage
