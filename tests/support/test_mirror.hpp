// A small mirror for the site and server tests: newsmirror.toml, a catalog
// of articles over three sites and two months (Simplified and Traditional
// Chinese, one English, one edited twice), and one image in assets/ that
// an article shows.
#pragma once

#include <filesystem>
#include <string>

#include "catalog/catalog.hpp"

namespace newsmirror::test {

struct TestMirror {
  std::filesystem::path dir;
  std::string image_path;  // "assets/xx/<sha256>.png", relative to dir
};

// Creates the mirror in `dir` (which must exist and be empty).
TestMirror make_test_mirror(const std::filesystem::path& dir);

// One more article of site "法广", numbered `number`, published at `ms`.
catalog::NewArticle extra_article(int number, std::int64_t ms);

}  // namespace newsmirror::test
