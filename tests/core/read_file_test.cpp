#include "core/read_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/paths.hpp"

namespace newsmirror::core {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

TEST(ReadFile, ReturnsEveryByteOfAFileLargerThanOneRead) {
  test::TempDir dir;
  std::string bytes;
  for (int i = 0; i < 300000; ++i) bytes.push_back(static_cast<char>(i * 7));  // NULs included
  write(dir.path() / "big", bytes);
  auto read = read_file(dir.path() / "big");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, bytes);
}

TEST(ReadFile, AnEmptyFileIsAnEmptyString) {
  test::TempDir dir;
  write(dir.path() / "empty", "");
  auto read = read_file(dir.path() / "empty");
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, "");
}

TEST(ReadFile, AMissingFileIsAnIoErrorGivingTheReason) {
  test::TempDir dir;
  auto read = read_file(dir.path() / "missing");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind, ErrorKind::io);
  EXPECT_EQ(read.error().message, "cannot read: No such file or directory");
}

TEST(ReadFile, AFolderOrAFifoIsRefusedWithoutWaiting) {
  test::TempDir dir;
  fs::create_directories(dir.path() / "folder");
  ASSERT_EQ(::mkfifo((dir.path() / "fifo").c_str(), 0600), 0);
  for (const char* name : {"folder", "fifo"}) {
    auto read = read_file(dir.path() / name);
    ASSERT_FALSE(read) << name;
    EXPECT_EQ(read.error().message, "cannot read: not a regular file") << name;
  }
}

TEST(ReadFile, TheStampIsTheFilesSizeAndModificationTime) {
  test::TempDir dir;
  write(dir.path() / "a", "twelve bytes");
  auto read = read_file_stamped(dir.path() / "a");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->stamp.size, 12);
  const auto looked = stamp_of(dir.path() / "a");
  ASSERT_TRUE(looked);
  EXPECT_EQ(*looked, read->stamp);
  struct stat info {};
  ASSERT_EQ(::stat((dir.path() / "a").c_str(), &info), 0);
  EXPECT_EQ(read->stamp.mtime_ns, info.st_mtim.tv_sec * 1'000'000'000LL + info.st_mtim.tv_nsec);
  EXPECT_FALSE(stamp_of(dir.path() / "missing"));
}

}  // namespace
}  // namespace newsmirror::core
