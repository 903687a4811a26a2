// Where tests find the shared corpus and the built program.
#pragma once

#include <filesystem>
#include <string>

namespace newsmirror::test {

// ../shared next to the repository; tests that need it call
// SKIP_WITHOUT_SHARED() first.
std::filesystem::path shared_dir();
bool have_shared();
// The repository itself (fuzz/regressions/, ...).
std::filesystem::path source_dir();
// The newsmirror executable under test.
std::filesystem::path binary();

// The bytes of `file`; empty when it cannot be read (the test's own
// expectations then fail on the content).
std::string read_file(const std::filesystem::path& file);

// A fresh empty folder, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace newsmirror::test

#define SKIP_WITHOUT_SHARED()                                                        \
  do {                                                                               \
    if (!::newsmirror::test::have_shared())                                          \
      GTEST_SKIP() << "../shared is absent: " << ::newsmirror::test::shared_dir();   \
  } while (0)
