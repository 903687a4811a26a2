#include "core/mirror_layout.hpp"

#include <unistd.h>

#include <atomic>
#include <string>

namespace newsmirror::core::layout {

namespace fs = std::filesystem;

namespace {

std::atomic<unsigned long> temp_counter{0};

}  // namespace

fs::path private_dir(const fs::path& mirror) { return mirror / kPrivate; }
fs::path state_db(const fs::path& mirror) { return private_dir(mirror) / "state.db"; }
fs::path catalog_db(const fs::path& mirror) { return private_dir(mirror) / "catalog.db"; }
fs::path writer_lock(const fs::path& mirror) { return private_dir(mirror) / "lock"; }
fs::path cycle_journal(const fs::path& mirror) { return mirror / kCycleJournal; }
fs::path default_site_dir(const fs::path& mirror) { return private_dir(mirror) / "site"; }

fs::path article_file(std::string_view folder, std::string_view file_name) {
  return fs::path(kArticles) / fs::path(std::string(folder)) / fs::path(std::string(file_name));
}

fs::path list_file(std::string_view folder) { return fs::path(kLists) / (std::string(folder) + ".md"); }

fs::path temp_path_for(const fs::path& target) {
  std::string name = target.filename().string();
  std::size_t max = 200;
  if (name.size() > max) {
    while (max > 0 && (static_cast<unsigned char>(name[max]) & 0xC0) == 0x80) --max;
    name.resize(max);
  }
  return target.parent_path() /
         ("." + name + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(temp_counter.fetch_add(1)));
}

bool is_temp_file_name(std::string_view name) {
  if (name.size() < 2 || name.front() != '.') return false;
  const std::size_t tmp = name.rfind(".tmp-");
  if (tmp == std::string_view::npos || tmp == 0) return false;
  const std::string_view rest = name.substr(tmp + 5);
  const std::size_t dash = rest.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == rest.size()) return false;
  for (std::size_t i = 0; i < rest.size(); ++i)
    if (i != dash && (rest[i] < '0' || rest[i] > '9')) return false;
  return dash <= 9;  // a pid fits in an int
}

long temp_file_pid(std::string_view name) {
  if (!is_temp_file_name(name)) return -1;
  const std::string_view rest = name.substr(name.rfind(".tmp-") + 5);
  return std::stol(std::string(rest.substr(0, rest.find('-'))));
}

}  // namespace newsmirror::core::layout
