// Access to the classic-archive sample in ../shared/corpus/archive for the
// archive tests (see its SOURCES.md for what the files are and their quirks).
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/paths.hpp"

namespace newsmirror::archive::test {

inline std::filesystem::path corpus_dir() {
  return ::newsmirror::test::shared_dir() / "corpus" / "archive";
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every article file, sorted, so failures are reported in a stable order.
inline std::vector<std::filesystem::path> corpus_articles() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(corpus_dir() / "articles"))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace newsmirror::archive::test
