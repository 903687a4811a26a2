// Which folder under articles/ holds each site. Usually the site's name
// made safe (archive::site_dir_name), but the later layout keeps 法广 in
// articles/rfi: then the state has recorded the folder, or the config sets
// it. The catalog names sites by folder, the state and identities by name;
// this translates both ways.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace newsmirror::mirror {

class SiteFolders {
 public:
  SiteFolders() = default;
  // What the state recorded (site, folder), then what each source sets.
  SiteFolders(const std::vector<std::pair<std::string, std::string>>& recorded, const config::Config& config);

  std::string folder_of(std::string_view site) const;
  // The site whose articles `folder` holds; a folder nobody names is a
  // site of its own name.
  std::string site_in(std::string_view folder) const;

 private:
  std::map<std::string, std::string, std::less<>> folder_by_site_;  // where not the name made safe
  std::map<std::string, std::string, std::less<>> site_by_folder_;
};

}  // namespace newsmirror::mirror
