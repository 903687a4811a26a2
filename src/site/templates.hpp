// The site's templates: mustache files and the style sheet in templates/,
// compiled into the program (cmake/embed_templates.cmake) so that a build
// needs nothing installed beside it. A folder given with --templates
// overrides them file by file, for operators who restyle their mirror.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace newsmirror::site {

class Templates {
 public:
  // The embedded files, each replaced by the file of the same name in
  // `override_dir` when there is one. An unreadable override is an error
  // naming it; an unknown file name in it is ignored.
  static core::Result<Templates> load(const std::optional<std::filesystem::path>& override_dir);

  // The text of one file ("article.mustache", "style.css"); empty view
  // when there is no such file (a programming error the tests catch).
  std::string_view get(std::string_view name) const;
  // Changes whenever any file changes: part of every page's fingerprint, so
  // that a new template rebuilds the whole site.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  std::map<std::string, std::string, std::less<>> files_;
  std::string fingerprint_;
};

}  // namespace newsmirror::site
