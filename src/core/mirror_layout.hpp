// Every path of a mirror folder, named once (as LevelDB's filename.h names
// a database's files): the archive the classic mirrors share
// (docs/archive-format.md) and newsmirror's own folder beside it.
//
//   README.md                      the mirror's front page
//   articles/<folder>/<N>_<title>.md   one file per article
//   lists/<folder>.md              each site's list page
//   assets/<2 hex>/<sha256>.<ext>  images kept locally
//   newsmirror.toml                the configuration (never published)
//   .newsmirror/                   state.db, catalog.db, lock, the cycle's
//                                  journal, the default site folder
//
// Files are written through temp files beside their targets,
// `.<name>.tmp-<pid>-<n>` (storage/atomic_writer.hpp).
#pragma once

#include <filesystem>
#include <string_view>

namespace newsmirror::core::layout {

inline constexpr std::string_view kReadme = "README.md";
inline constexpr std::string_view kArticles = "articles";
inline constexpr std::string_view kLists = "lists";
inline constexpr std::string_view kAssets = "assets";
inline constexpr std::string_view kConfig = "newsmirror.toml";
inline constexpr std::string_view kPrivate = ".newsmirror";
// Relative to the mirror: while it exists, a cycle was interrupted and the
// next one (or `check --repair`) finishes it.
inline constexpr std::string_view kCycleJournal = ".newsmirror/pending-articles.json";

// Below the mirror folder `mirror`.
std::filesystem::path private_dir(const std::filesystem::path& mirror);
std::filesystem::path state_db(const std::filesystem::path& mirror);
std::filesystem::path catalog_db(const std::filesystem::path& mirror);
std::filesystem::path writer_lock(const std::filesystem::path& mirror);
std::filesystem::path cycle_journal(const std::filesystem::path& mirror);
std::filesystem::path default_site_dir(const std::filesystem::path& mirror);

// Relative to the mirror folder.
std::filesystem::path article_file(std::string_view folder, std::string_view file_name);
std::filesystem::path list_file(std::string_view folder);

// A fresh temp file name beside `target`, `.<name>.tmp-<pid>-<n>`; a long
// name is cut on a UTF-8 boundary to stay within NAME_MAX.
std::filesystem::path temp_path_for(const std::filesystem::path& target);
// True for the names temp_path_for gives.
bool is_temp_file_name(std::string_view file_name);
// The pid in a temp file's name, or -1 when `file_name` is not one.
long temp_file_pid(std::string_view file_name);

}  // namespace newsmirror::core::layout
