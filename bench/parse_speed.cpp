// Throughput of parse::parse_feed on a directory of feed files, in memory
// (no process start, no JSON output). Every file is read first, then
// parse_feed runs over all of them RUNS times; the median run is reported.
//
// Build (after `cmake -S . -B build-perf -G Ninja && cmake --build build-perf`):
//   g++ -O2 -std=c++20 -Isrc bench/parse_speed.cpp build-perf/libnewsmirror_lib.a \
//     $(pkg-config --libs libxml-2.0 icu-uc icu-i18n uchardet) -lcurl -lsqlite3 -lcrypto -lfmt -lspdlog \
//     -o /tmp/parse_speed
// Input:
//   python3 bench/make_feeds.py ../shared/corpus/archive/articles /tmp/parse-in --feeds 200 --items 50
// Run:
//   /tmp/parse_speed /tmp/parse-in/feeds [RUNS=5] [CONTENT_TYPE] [BASE_URL]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "parse/feed_parser.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [RUNS] [CONTENT_TYPE] [BASE_URL]\n", argv[0]);
    return 2;
  }
  int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  newsmirror::parse::ParseOptions options;
  if (argc > 3) options.content_type = argv[3];
  if (argc > 4) options.base_url = argv[4];

  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(argv[1]))
    if (e.is_regular_file()) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> files;
  std::size_t total = 0;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    files.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    total += files.back().size();
  }

  std::vector<double> seconds;
  std::size_t entries = 0, failures = 0;
  for (int r = 0; r < runs; ++r) {
    entries = failures = 0;
    auto start = std::chrono::steady_clock::now();
    for (const auto& f : files) {
      auto feed = newsmirror::parse::parse_feed(f, options);
      if (feed) entries += feed->entries.size();
      else ++failures;
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  std::printf("%zu files, %.1f MB, %zu entries, %zu failures\n", files.size(), total / 1e6, entries, failures);
  std::printf("median of %d: %.3f s  (min %.3f s)  %.1f MB/s\n", runs, median, seconds.front(), total / 1e6 / median);
  return failures ? 1 : 0;
}
