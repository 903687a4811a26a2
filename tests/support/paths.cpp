#include "support/paths.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

namespace newsmirror::test {

std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("NEWSMIRROR_SHARED")) return env;
#ifdef NEWSMIRROR_SHARED_DIR
  return std::filesystem::weakly_canonical(NEWSMIRROR_SHARED_DIR);
#else
  return "../shared";
#endif
}

bool have_shared() { return std::filesystem::is_directory(shared_dir() / "corpus"); }

std::filesystem::path source_dir() {
#ifdef NEWSMIRROR_SOURCE_DIR
  return NEWSMIRROR_SOURCE_DIR;
#else
  return ".";
#endif
}

std::filesystem::path binary() {
  if (const char* env = std::getenv("NEWSMIRROR_BINARY")) return env;
#ifdef NEWSMIRROR_BINARY
  return NEWSMIRROR_BINARY;
#else
  return "build/newsmirror";
#endif
}

TempDir::TempDir() {
  std::random_device random;
  auto base = std::filesystem::temp_directory_path();
  for (;;) {
    path_ = base / ("newsmirror-test-" + std::to_string(random()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace newsmirror::test
