// Cost of the cleaning stage per article: every entry of a directory of feed
// files (bench/make_feeds.py writes them from the real archive) is parsed
// once, outside the timed part; then clean::clean_article runs over all of
// their bodies RUNS times, on one thread, and the median run is reported,
// with what one parse of the HTML alone (clean::parse_fragment) costs.
//
// Built by CMake with -DNEWSMIRROR_BENCH=ON (target clean_speed). By hand:
//   python3 bench/make_feeds.py ../shared/corpus/archive/articles /tmp/feeds --feeds 40 --items 50
//   build-bench/bench/clean_speed /tmp/feeds/feeds [RUNS=5]
// The last line is for scripts:
//   total articles=N bytes=N median_us=U parse_us=U
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "clean/article_cleaner.hpp"
#include "clean/dom.hpp"
#include "parse/feed_parser.hpp"

namespace {

struct Body {
  std::string html;
  std::string link;
};

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

template <typename Work>
double seconds_of(Work&& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FEED-DIR [RUNS]\n", argv[0]);
    return 2;
  }
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::vector<Body> bodies;
  std::size_t bytes = 0;
  std::error_code error;
  for (const auto& file : std::filesystem::directory_iterator(argv[1], error)) {
    if (!file.is_regular_file()) continue;
    std::ifstream in(file.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto feed = newsmirror::parse::parse_feed(text, {});
    if (!feed) {
      std::fprintf(stderr, "clean_speed: %s: %s\n", file.path().c_str(), feed.error().message.c_str());
      return 2;
    }
    for (const auto& entry : feed->entries) {
      if (!entry.html()) continue;
      bodies.push_back({*entry.html(), entry.link.value_or("")});
      bytes += bodies.back().html.size();
    }
  }
  if (error || bodies.empty()) {
    std::fprintf(stderr, "clean_speed: no feed entries with HTML in %s\n", argv[1]);
    return 2;
  }

  std::vector<double> cleaning, parsing;
  std::size_t sink = 0;  // keeps the work from being optimized away
  for (int r = 0; r < runs; ++r) {
    cleaning.push_back(seconds_of([&] {
      for (const auto& body : bodies) sink += newsmirror::clean::clean_article(body.html, {body.link, nullptr}).size();
    }));
    parsing.push_back(seconds_of([&] {
      for (const auto& body : bodies) sink += newsmirror::clean::parse_fragment(body.html)->children().size();
    }));
  }
  const double clean_us = median_of(cleaning) / double(bodies.size()) * 1e6;
  const double parse_us = median_of(parsing) / double(bodies.size()) * 1e6;
  std::printf("%zu articles, %.1f MB of HTML, median of %d runs (checksum %zu)\n", bodies.size(), bytes / 1e6, runs,
              sink % 10);
  std::printf("clean_article: %.1f us an article (%.1f MB/s); one parse_fragment: %.1f us\n", clean_us,
              bytes / 1e6 / median_of(cleaning), parse_us);
  std::printf("total articles=%zu bytes=%zu median_us=%.2f parse_us=%.2f\n", bodies.size(), bytes, clean_us, parse_us);
  return 0;
}
