// Throughput of parse::parse_feed on a directory of feed files, in memory:
// every *.xml file is read first, then parse_feed runs over all of them RUNS
// times and the median run is reported (no process start, no file reads, no
// output in the timed part). Files are grouped by the part of their name
// before the first '_' (bench/make_parse_corpus.py names them
// <encoding>_<format>_NNNN.xml), so the figures show which encoding costs.
//
// Built by CMake with -DNEWSMIRROR_BENCH=ON (target parse_speed); driven by
// bench/parse_speed.sh, which also times xmllint and feedparser on the same
// files. By hand:
//   python3 bench/make_parse_corpus.py bench/work/parse-corpus --megabytes 20
//   build-bench/bench/parse_speed [--entries FILE] bench/work/parse-corpus [RUNS=5] [CONTENT_TYPE] [BASE_URL]
// --entries writes "file-name entry-count" lines (first run) for comparing
// with other parsers.
//
// The last line is for scripts:
//   total files=N bytes=N entries=N failures=N median_s=S min_s=S allocations=N
// `allocations` counts C++ operator new calls of one run (libxml2's own
// mallocs are not counted): the parser is meant to allocate little.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "parse/feed_parser.hpp"

namespace {

std::size_t allocation_count = 0;  // the benchmark is single-threaded

}  // namespace

void* operator new(std::size_t size) {
  ++allocation_count;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

struct FeedFile {
  std::string name;
  std::string group;
  std::string bytes;
};

struct Group {
  std::size_t files = 0, bytes = 0;
  std::vector<double> seconds;  // one per run
};

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args;
  std::string entries_path;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--entries" && i + 1 < argc) entries_path = argv[++i];
    else args.push_back(argv[i]);
  }
  if (args.empty()) {
    std::fprintf(stderr, "usage: %s [--entries FILE] DIR [RUNS] [CONTENT_TYPE] [BASE_URL]\n", argv[0]);
    return 2;
  }
  int runs = args.size() > 1 ? std::max(1, std::atoi(args[1].c_str())) : 5;
  newsmirror::parse::ParseOptions options;
  if (args.size() > 2) options.content_type = args[2];
  if (args.size() > 3) options.base_url = args[3];

  std::vector<std::filesystem::path> paths;
  std::error_code error;
  for (const auto& e : std::filesystem::directory_iterator(args[0], error))
    if (e.is_regular_file() && e.path().extension() == ".xml") paths.push_back(e.path());
  if (error || paths.empty()) {
    std::fprintf(stderr, "parse_speed: no *.xml files in %s%s%s\n", args[0].c_str(), error ? ": " : "",
                 error ? error.message().c_str() : "");
    return 2;
  }
  std::sort(paths.begin(), paths.end());
  std::vector<FeedFile> files;
  std::map<std::string, Group> groups;
  std::size_t total = 0;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::string name = p.filename().string();
    files.push_back({name, name.substr(0, name.find('_')),
                     std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())});
    if (!in && !in.eof()) {
      std::fprintf(stderr, "parse_speed: cannot read %s\n", p.c_str());
      return 2;
    }
    total += files.back().bytes.size();
    auto& group = groups[files.back().group];
    ++group.files;
    group.bytes += files.back().bytes.size();
  }

  using Clock = std::chrono::steady_clock;
  std::vector<double> seconds;
  std::size_t entries = 0, allocations = 0;
  std::vector<std::string> failed;
  std::vector<std::size_t> entry_counts;  // per file, for comparing with other parsers
  for (int r = 0; r < runs; ++r) {
    entries = 0;
    failed.clear();
    std::map<std::string, double> group_seconds;
    allocation_count = 0;
    auto run_start = Clock::now();
    for (const auto& f : files) {
      auto start = Clock::now();
      auto feed = newsmirror::parse::parse_feed(f.bytes, options);
      group_seconds[f.group] += std::chrono::duration<double>(Clock::now() - start).count();
      std::size_t count = feed ? feed->entries.size() : 0;
      entries += count;
      if (!feed) failed.push_back(f.name + ": " + feed.error().message);
      if (r == 0) entry_counts.push_back(count);
    }
    seconds.push_back(std::chrono::duration<double>(Clock::now() - run_start).count());
    allocations = allocation_count;
    for (auto& [name, group] : groups) group.seconds.push_back(group_seconds[name]);
  }

  if (!entries_path.empty()) {
    std::ofstream out(entries_path);
    for (std::size_t i = 0; i < files.size(); ++i) out << files[i].name << ' ' << entry_counts[i] << '\n';
    if (!out) std::fprintf(stderr, "parse_speed: cannot write %s\n", entries_path.c_str());
  }
  for (const auto& message : failed) std::fprintf(stderr, "parse_speed: failed: %s\n", message.c_str());
  double median = median_of(seconds);
  std::printf("%zu files, %.1f MB, %zu entries, %zu failures, %.0f C++ allocations per entry\n", files.size(),
              total / 1e6, entries, failed.size(), entries ? double(allocations) / double(entries) : 0.0);
  for (const auto& [name, group] : groups)
    std::printf("  %-14s %4zu files %7.1f MB  %7.1f MB/s\n", name.c_str(), group.files, group.bytes / 1e6,
                group.bytes / 1e6 / median_of(group.seconds));
  std::printf("median of %d: %.3f s  (min %.3f s)  %.1f MB/s\n", runs, median,
              *std::min_element(seconds.begin(), seconds.end()), total / 1e6 / median);
  std::printf("total files=%zu bytes=%zu entries=%zu failures=%zu median_s=%.6f min_s=%.6f allocations=%zu\n",
              files.size(), total, entries, failed.size(), median, *std::min_element(seconds.begin(), seconds.end()),
              allocations);
  return failed.empty() ? 0 : 1;
}
